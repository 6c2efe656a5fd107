"""Hostile targets over a whole run: rate limits, failing setup and cleanup, ids, echoed keys.

Each drives `main` as a user would, against a raw loopback server that
forwards to the bundled mock except for the one behaviour under test, and
reads the exit code, the terminal and the reports back.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from promptlog_contract._secrets import contains_secret
from promptlog_contract.cli import main
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.mock import running_mock

from ._hostile import Forward, hostile, is_patch, write_response

KEY = "sk-hostile/0123456789+abcdef"
Answer = Callable[[str, str, dict[str, str], bytes, BinaryIO], bool]


@pytest.fixture
def forward() -> Iterator[Forward]:
    with running_mock(api_keys=(KEY,)) as upstream:
        fwd = Forward(upstream)
        try:
            yield fwd
        finally:
            fwd.close()


def run_cli(url: str, report_dir: Path, *extra: str) -> int:
    argv = ["run", "--base-url", url, "--api-key", KEY, "--report-dir", str(report_dir)]
    return main([*argv, "--max-examples", "3", "--no-schemathesis", *extra])


def summary(report_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report_dir / "summary.json").read_text("utf-8"))
    return data


def test_faithful_mock_exercises_every_default_rule() -> None:
    result = run(RunConfig(max_examples=10, seed=1))
    assert result.verdict == "pass"
    assert result.not_exercised == {}
    assert result.excused == {}
    assert all(stats.judged > 0 for stats in result.rules.values()), result.rules


@pytest.mark.socket
def test_rate_limited_patches_are_inconclusive_not_a_pass(
    forward: Forward, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def always_429(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        if is_patch(m, path):
            return write_response(out, 429, b'{"detail": "slow down"}', {"retry-after": "0"})
        return forward(m, path, headers, body, out)

    with hostile(always_429) as served:
        code = run_cli(served.base_url, tmp_path)
    out = capsys.readouterr().out
    assert code == 3
    assert "INCONCLUSIVE" in out
    assert "never exercised" in out and "429" in out
    report = summary(tmp_path)
    assert report["verdict"] == "inconclusive"
    assert report["exit_code"] == 3
    assert "valid_body_accepted" in report["not_exercised"]
    assert "429" in report["not_exercised"]["valid_body_accepted"]
    assert report["rules"]["valid_body_accepted"]["passed"] == 0


@pytest.mark.socket
def test_a_target_without_get_is_excused_not_inconclusive(forward: Forward, tmp_path: Path) -> None:
    def no_get(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        if m == "GET":
            return write_response(out, 404, b'{"detail": "Not Found"}')
        return forward(m, path, headers, body, out)

    with hostile(no_get) as served:
        code = run_cli(served.base_url, tmp_path)
    report = summary(tmp_path)
    assert code == 0, report["not_exercised"]
    assert "get_agrees_with_patch" in report["excused"]


@pytest.mark.socket
@pytest.mark.parametrize(("status", "code"), [(500, 3), (404, 3), (429, 3), (401, 2), (403, 2)])
def test_setup_failures_of_the_target_exit_3(
    status: int, code: int, forward: Forward, tmp_path: Path
) -> None:
    def failing_post(
        m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
    ) -> bool:
        if m == "POST":
            return write_response(out, status, b'{"detail": "no"}', {"retry-after": "0"})
        return forward(m, path, headers, body, out)

    with hostile(failing_post) as served:
        assert run_cli(served.base_url, tmp_path) == code
    if code == 3:
        report = summary(tmp_path)
        assert report["verdict"] == "unhealthy"
        assert f"HTTP {status}" in report["unhealthy"]


@pytest.mark.socket
def test_a_late_500_on_scratch_log_creation_exits_3_with_reports(
    forward: Forward, tmp_path: Path
) -> None:
    posts: list[int] = []

    def late_500(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        if m == "POST":
            posts.append(1)
            if len(posts) > 4:  # two workers' logs, the probes' and the sibling's, then 500
                return write_response(out, 500, b'{"detail": "boom"}')
        return forward(m, path, headers, body, out)

    with hostile(late_500) as served:
        argv = ["run", "--base-url", served.base_url, "--api-key", KEY]
        code = main([*argv, "--report-dir", str(tmp_path), "--max-examples", "3", "--quiet"])
    assert code == 3
    report = summary(tmp_path)
    assert "cannot create a scratch log" in report["unhealthy"]
    assert report["rules"]["valid_body_accepted"]["passed"] > 0  # what was found is kept
    assert report["leftovers"] == []


def _ids(path: str) -> list[str]:
    return parse_qs(urlsplit(path).query).get("id", [])


@pytest.mark.socket
@pytest.mark.parametrize("answer", [500, 302])
def test_a_failed_delete_is_not_a_pass_and_lists_leftovers(
    answer: int, forward: Forward, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deleted: list[str] = []

    def bad_delete(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        if m == "DELETE":
            deleted.extend(_ids(path))
            return write_response(out, answer, b"{}", {"location": "http://127.0.0.1:9/"})
        return forward(m, path, headers, body, out)

    with hostile(bad_delete) as served:
        code = run_cli(served.base_url, tmp_path)
    out = capsys.readouterr().out
    assert code == 3
    report = summary(tmp_path)
    assert report["verdict"] == "unhealthy"
    assert sorted(report["leftovers"]) == sorted(deleted) and deleted
    assert f"HTTP {answer}" in report["unhealthy"]
    assert "PASS" not in out
    # Minimising re-runs on fresh logs, so there may be more than the 50 the console lists.
    printed = report["leftovers"][:50]
    assert "delete them" in out and all(log_id in out for log_id in printed)
    if len(deleted) > 50:
        assert f"and {len(deleted) - 50} more (all in summary.json" in out


TRAVERSAL = "../../../admin/users/all?delete=1#"


@pytest.mark.socket
@pytest.mark.parametrize("field", ["id", "prompt_id"])
def test_a_traversal_id_is_never_sent(field: str, forward: Forward, tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def traversal(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        with lock:
            seen.append((m, path))
        if m == "POST":
            created = json.loads(
                forward.client.post(
                    forward.origin + path,
                    content=body,
                    headers={"x-api-key": KEY, "content-type": "application/json"},
                ).content
            )
            created[field] = TRAVERSAL
            return write_response(out, 200, json.dumps(created).encode())
        return forward(m, path, headers, body, out)

    with hostile(traversal) as served:
        code = run_cli(served.base_url, tmp_path)
    assert code == 3
    report = summary(tmp_path)
    assert "unsafe id" in report["unhealthy"]
    outside = [
        (m, p)
        for m, p in seen
        if not (p.startswith("/v5/prompts/") or p.startswith("/v5/logs"))
        or ".." in p
        or "admin" in p
    ]
    assert outside == []
    assert all(m == "POST" for m, _ in seen), seen  # nothing was sent to the log it named


def _forms(key: str) -> dict[str, str]:
    raw = key.encode()
    return {
        "raw": key,
        "json_u_escaped": "".join(f"\\u{ord(c):04x}" for c in key),
        "json_slash_escaped": key.replace("/", "\\/"),
        "percent": quote(key, safe=""),
        "base64": base64.b64encode(raw).decode(),
        "base64_unpadded_shift1": base64.b64encode(b"x" + raw).decode().rstrip("="),
        "base64_urlsafe_shift2": base64.urlsafe_b64encode(b"xy" + raw).decode().rstrip("="),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
    }


FORMS = _forms(KEY)


@pytest.mark.socket
@pytest.mark.parametrize("where", ["body", "header"])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_no_secret_echoed_catches_each_encoded_form_and_no_output_holds_it(
    form: str,
    where: str,
    forward: Forward,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spelled = FORMS[form]

    def echo(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        if not is_patch(m, path):
            return forward(m, path, headers, body, out)
        if where == "header":
            return write_response(out, 422, b'{"detail": []}', {"x-debug": f"k={spelled}"})
        return write_response(out, 422, b'{"detail": [], "echo": "' + spelled.encode() + b'"}')

    with hostile(echo) as served:
        code = run_cli(served.base_url, tmp_path)
    captured = capsys.readouterr()
    assert code == 1
    rules = {f["rule"] for f in summary(tmp_path)["failures"]}
    assert "no_secret_echoed" in rules
    outputs = {
        "stdout": captured.out,
        "stderr": captured.err,
        **{p.name: p.read_text("utf-8") for p in tmp_path.iterdir() if p.is_file()},
    }
    for name, text in outputs.items():
        assert spelled not in text, name
        assert KEY not in text, name
        assert not contains_secret(text, KEY), name


@pytest.mark.socket
def test_the_unhealthy_line_never_prints_the_key(
    forward: Forward, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def malformed(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
        out.write(b"HTTP/1.1 200 OK\r\nx-key\x00" + KEY.encode() + b" \x1b[31m\r\n\r\n")
        return False

    with hostile(malformed) as served:
        code = run_cli(served.base_url, tmp_path)
    captured = capsys.readouterr()
    assert code == 3
    for text in (captured.out, captured.err, (tmp_path / "summary.json").read_text("utf-8")):
        assert not contains_secret(text, KEY)
        assert "\x1b" not in text and "\x00" not in text


@pytest.mark.socket
def test_a_500_on_the_log_minimising_needs_exits_3_and_keeps_findings(tmp_path: Path) -> None:
    posts: list[int] = []
    with running_mock(api_keys=(KEY,), faults=("clear_omitted_fields",)) as upstream:
        forward = Forward(upstream)

        def late_500(
            m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
        ) -> bool:
            if m == "POST":
                posts.append(1)
                # Setup makes 4 (two workers, probes, the unpatched sibling); no Schemathesis
                # phase: the 5th log is minimising's.
                if len(posts) > 4:
                    return write_response(out, 500, b'{"detail": "boom"}')
            return forward(m, path, headers, body, out)

        try:
            with hostile(late_500) as served:
                code = run_cli(served.base_url, tmp_path, "--quiet")
        finally:
            forward.close()
    assert code == 3
    report = summary(tmp_path)
    assert "cannot create a scratch log" in report["unhealthy"]
    assert "omitted_fields_unchanged" in {f["rule"] for f in report["failures"]}
