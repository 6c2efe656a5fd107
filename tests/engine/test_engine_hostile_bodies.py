"""Hostile answers: endless, huge, gzip-bombed, trickling, deeply nested, NaN-laden bodies.

Each runs the real CLI against a raw loopback server that misbehaves on
PATCH and forwards the rest to the bundled mock. None may crash, hang past
its deadlines or let memory grow with the body: every one ends in a finding
or exit 3, with reports written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from promptlog_contract.cli import main
from promptlog_contract.engine import Limits, Target
from promptlog_contract.engine._body import MAX_DEPTH, parse_json, retry_after
from promptlog_contract.mock import running_mock
from promptlog_contract.types import NOT_JSON

from ._hostile import Forward, forwarded_headers, hostile, is_patch, write_response

KEY = "sk-hostile-0123456789abcdef"
Misbehave = Callable[[BinaryIO], bool]


@pytest.fixture
def upstream() -> Iterator[str]:
    with running_mock(api_keys=(KEY,)) as url:
        yield url


@pytest.fixture
def patch_answers(upstream: str) -> Iterator[Callable[[Misbehave], Any]]:
    """A context manager factory: a hostile server whose every PATCH answer is `misbehave`."""
    forward = Forward(upstream)

    def make(misbehave: Misbehave) -> Any:
        def answer(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
            if is_patch(m, path):
                return misbehave(out)
            return forward(m, path, headers, body, out)

        return hostile(answer)

    try:
        yield make
    finally:
        forward.close()


def run_cli(url: str, report_dir: Path, *extra: str) -> int:
    argv = ["run", "--base-url", url, "--api-key", KEY, "--report-dir", str(report_dir)]
    return main([*argv, "--max-examples", "3", "--no-schemathesis", "--quiet", *extra])


def summary(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / "summary.json").read_text("utf-8"))
    return data


def endless(out: BinaryIO) -> bool:
    out.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
    out.write(b"transfer-encoding: chunked\r\n\r\n")
    block = b" " * 65536
    while True:
        out.write(b"%x\r\n%s\r\n" % (len(block), block))


def huge(out: BinaryIO) -> bool:
    size = 50 * 1024 * 1024
    out.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
    out.write(b"content-length: %d\r\n\r\n" % size)
    block = b" " * 65536
    for _ in range(size // len(block)):
        out.write(block)
    return True


def _bomb() -> bytes:
    # After a full flush the deflate state is reset, so every further MiB of zeros
    # compresses to the same ~1 KB block: a 1 GiB bomb without compressing 1 GiB.
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    head = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * 1023


BOMB = _bomb()


def gzip_bomb(out: BinaryIO) -> bool:
    out.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n")
    out.write(b"content-length: %d\r\n\r\n" % len(BOMB))
    out.write(BOMB)
    return True


BODIES = {"endless": endless, "huge": huge, "gzip_bomb": gzip_bomb}


@pytest.mark.socket
@pytest.mark.parametrize("name", sorted(BODIES))
def test_response_size_bounded_catches_oversized_bodies(
    name: str, patch_answers: Callable[[Misbehave], Any], tmp_path: Path
) -> None:
    started = time.monotonic()
    with patch_answers(BODIES[name]) as served:
        code = run_cli(served.base_url, tmp_path)
    assert time.monotonic() - started < 60
    assert code == 1
    report = summary(tmp_path)
    assert {f["rule"] for f in report["failures"]} >= {"response_size_bounded"}
    finding = next(f for f in report["failures"] if f["rule"] == "response_size_bounded")
    assert "larger than 2097152 bytes" in finding["message"]
    assert len(finding["response"]["body"]) < 10_000  # kept bodies are cut


@pytest.mark.socket
def test_max_response_bytes_flag_moves_the_cap(
    patch_answers: Callable[[Misbehave], Any], tmp_path: Path
) -> None:
    def middling(out: BinaryIO) -> bool:
        return write_response(out, 200, b" " * 5000 + b"{}")

    with patch_answers(middling) as served:
        assert run_cli(served.base_url, tmp_path, "--max-response-bytes", "4k") == 1
    assert "response_size_bounded" in {f["rule"] for f in summary(tmp_path)["failures"]}


_RSS_SCRIPT = """
import resource, sys
from promptlog_contract.cli import main
code = main(sys.argv[1:])
print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.socket
@pytest.mark.parametrize("name", ["endless", "gzip_bomb"])
def test_memory_stays_bounded_against_endless_and_bombed_bodies(
    name: str, patch_answers: Callable[[Misbehave], Any], tmp_path: Path
) -> None:
    # A normal run peaks at 120-290 MB here; unbounded reading would take gigabytes.
    with patch_answers(BODIES[name]) as served:
        done = subprocess.run(
            [
                *(sys.executable, "-c", _RSS_SCRIPT, "run", "--base-url", served.base_url),
                *("--api-key", KEY, "--report-dir", str(tmp_path), "--max-examples", "5"),
                *("--no-schemathesis", "--quiet"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HUMANLOOP_API_KEY": ""},
        )
    assert done.returncode == 1, done.stderr
    peak_mb = int(done.stderr.split("MAXRSS_KB")[1].split()[0]) / 1024
    assert peak_mb < 400, peak_mb


def trickle(out: BinaryIO) -> bool:
    out.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
    )
    while True:
        out.write(b" ")
        out.flush()
        time.sleep(0.3)


@pytest.mark.socket
def test_max_time_holds_mid_request_against_a_trickling_body(
    patch_answers: Callable[[Misbehave], Any], tmp_path: Path
) -> None:
    started = time.monotonic()
    with patch_answers(trickle) as served:
        code = run_cli(served.base_url, tmp_path, "--max-time", "4s")
    assert time.monotonic() - started < 4 + 10
    assert code == 3  # nothing could be judged: inconclusive, never a pass
    report = summary(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert "valid_body_accepted" in report["not_exercised"]


@pytest.mark.socket
def test_max_request_time_holds_against_a_trickling_body(
    patch_answers: Callable[[Misbehave], Any], tmp_path: Path
) -> None:
    started = time.monotonic()
    with patch_answers(trickle) as served:
        code = run_cli(served.base_url, tmp_path, "--max-request-time", "2s")
    assert time.monotonic() - started < 2 + 10
    assert code == 3
    report = summary(tmp_path)
    assert report["verdict"] == "unhealthy"
    assert "no complete response within 2.0s" in report["unhealthy"]


@pytest.mark.socket
@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 5000])
def test_deep_json_is_a_finding_not_a_traceback(
    depth: int,
    patch_answers: Callable[[Misbehave], Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    nested = b"[" * depth + b"]" * depth

    with patch_answers(lambda out: write_response(out, 200, nested)) as served:
        code = run_cli(served.base_url, tmp_path)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 1
    failures = summary(tmp_path)["failures"]
    union = next(f for f in failures if f["rule"] == "response_matches_union")
    assert f"nested deeper than {MAX_DEPTH}" in union["message"]


@pytest.mark.parametrize(
    "text", [b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b'{"a": 1e999}']
)
def test_parse_json_is_strict(text: bytes) -> None:
    body, problem = parse_json(text)
    assert body is NOT_JSON
    assert problem is not None and "not strict JSON" in problem


def test_parse_json_reads_faithful_bodies() -> None:
    assert parse_json(b'{"a": [1, 2.5, {"b": null}]}') == ({"a": [1, 2.5, {"b": None}]}, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("nan", 1.0), ("inf", 1.0), ("-5", 0.0), ("1e308", 30.0), ("2", 2.0), ("junk", 1.0)],
)
def test_retry_after_is_validated(value: str, expected: float) -> None:
    assert retry_after(value) == expected


@pytest.mark.socket
def test_retry_after_nan_is_not_a_crash(upstream: str) -> None:
    calls: list[int] = []

    def rate_limited_once(
        m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
    ) -> bool:
        calls.append(1)
        if len(calls) == 1:
            return write_response(out, 429, b"{}", {"retry-after": "nan"})
        return write_response(out, 200, b"{}")

    with hostile(rate_limited_once) as served:
        target = Target(served.base_url, KEY, Limits())
        try:
            started = time.monotonic()
            _, response = target.request("GET", "/logs/log_1")
        finally:
            target.close()
    assert response.status == 200
    assert time.monotonic() - started < 5


@pytest.mark.socket
def test_one_dropped_connection_is_retried_not_fatal(upstream: str, tmp_path: Path) -> None:
    forward = Forward(upstream)
    count: list[int] = []

    def drops_the_fifth(
        m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
    ) -> bool:
        count.append(1)
        if len(count) == 5:
            return False  # hang up without an answer
        return forward(m, path, headers, body, out)

    try:
        with hostile(drops_the_fifth) as served:
            code = run_cli(served.base_url, tmp_path)
    finally:
        forward.close()
    report = summary(tmp_path)
    assert code == 0, report["unhealthy"]
    assert report["requests"]["by_status"].get("error") == 1


@pytest.mark.socket
def test_a_faithful_gzip_target_passes_every_phase(upstream: str, tmp_path: Path) -> None:
    # Decoding is ours now: a target that compresses every answer must still pass, Schemathesis
    # phase included (it re-reads the recorded, already decoded, response).
    forward = Forward(upstream)

    def gzipped(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        keep = forwarded_headers(headers)
        reply = forward.client.request(m, forward.origin + path, headers=keep, content=body)
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        packed = packer.compress(reply.content) + packer.flush()
        ctype = reply.headers.get("content-type", "application/json")
        return write_response(
            out, reply.status_code, packed, {"content-type": ctype, "content-encoding": "gzip"}
        )

    try:
        with hostile(gzipped) as served:
            argv = ["run", "--base-url", served.base_url, "--api-key", KEY]
            code = main([*argv, "--report-dir", str(tmp_path), "--max-examples", "5", "--quiet"])
    finally:
        forward.close()
    report = summary(tmp_path)
    assert code == 0, (report["failures"][:1], report["not_exercised"])
    assert report["rules"]["schemathesis:response_schema_conformance"]["passed"] > 0
