"""SIGINT and SIGTERM mid-run: stop sending within about 2 s, delete the scratch logs, report.

The CLI runs in a subprocess against a recording loopback server in front of
the bundled mock, so the signal, the requests after it and the cleanup are
all seen from outside, as CI would see them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from promptlog_contract.mock import running_mock

from ._hostile import Forward, hostile, is_patch, write_response

KEY = "sk-signals-0123456789abcdef"


def _start(url: str, report_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "promptlog_contract.cli", "run", "--profile", "fuzz"),
            *("--base-url", url, "--api-key", KEY, "--report-dir", str(report_dir)),
            *("--max-time", "120s", "--quiet"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("the run never got going")


@pytest.mark.socket
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_sending_cleans_up_and_reports(
    sig: signal.Signals, code: int, tmp_path: Path
) -> None:
    created: list[str] = []
    deleted: list[str] = []
    patches: list[float] = []
    lock = threading.Lock()
    with running_mock(api_keys=(KEY,)) as upstream:
        forward = Forward(upstream)

        def record(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
            if m == "POST":
                reply = forward.client.post(
                    forward.origin + path,
                    content=body,
                    headers={"x-api-key": KEY, "content-type": "application/json"},
                )
                with lock:
                    created.append(reply.json()["id"])
                return write_response(out, reply.status_code, reply.content)
            with lock:
                if is_patch(m, path):
                    patches.append(time.monotonic())
                if m == "DELETE":
                    deleted.extend(parse_qs(urlsplit(path).query).get("id", []))
            return forward(m, path, headers, body, out)

        try:
            with hostile(record) as served:
                proc = _start(served.base_url, tmp_path)
                try:
                    _wait_for(lambda: len(patches) >= 30)
                    signalled = time.monotonic()
                    proc.send_signal(sig)
                    _out, err = proc.communicate(timeout=30)
                finally:
                    proc.kill()
                exited = time.monotonic()
            with httpx.Client() as client:
                left = [
                    log_id
                    for log_id in created
                    if client.get(
                        f"{upstream}/logs/{log_id}", headers={"x-api-key": KEY}
                    ).status_code
                    != 404
                ]
        finally:
            forward.close()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert exited - signalled < 15
    assert [t for t in patches if t > signalled + 2.0] == []  # no queue drained after the signal
    assert created and sorted(deleted) == sorted(created)
    assert left == []
    summary = json.loads((tmp_path / "summary.json").read_text("utf-8"))
    assert summary["verdict"] == "interrupted"
    assert summary["interrupted"] == sig.name
    assert summary["exit_code"] == code
    assert sum(row["passed"] for row in summary["rules"].values()) > 0  # found so far: kept
    assert (tmp_path / "junit.xml").exists() and (tmp_path / "report.html").exists()


@pytest.mark.socket
def test_a_second_signal_exits_at_once(tmp_path: Path) -> None:
    patched = threading.Event()
    with running_mock(api_keys=(KEY,)) as upstream:
        forward = Forward(upstream)

        def stuck_cleanup(
            m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
        ) -> bool:
            if m == "DELETE":
                time.sleep(20)  # cleanup hangs: only a second signal ends the run now
            if is_patch(m, path):
                patched.set()
            return forward(m, path, headers, body, out)

        try:
            with hostile(stuck_cleanup) as served:
                proc = _start(served.base_url, tmp_path)
                try:
                    _wait_for(patched.is_set)
                    proc.send_signal(signal.SIGTERM)
                    time.sleep(2.0)
                    assert proc.poll() is None  # still cleaning up
                    again = time.monotonic()
                    proc.send_signal(signal.SIGTERM)
                    proc.communicate(timeout=10)
                    assert time.monotonic() - again < 3
                finally:
                    proc.kill()
        finally:
            forward.close()
    assert proc.returncode == 143


@pytest.mark.socket
def test_a_signal_cuts_a_request_the_target_never_answers(tmp_path: Path) -> None:
    hung = threading.Event()
    deleted: list[str] = []
    with running_mock(api_keys=(KEY,)) as upstream:
        forward = Forward(upstream)

        def hangs(m: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO) -> bool:
            if is_patch(m, path):
                hung.set()
                time.sleep(30)  # never answers in time: only the stop can end the wait
                return False
            if m == "DELETE":
                deleted.extend(parse_qs(urlsplit(path).query).get("id", []))
            return forward(m, path, headers, body, out)

        try:
            with hostile(hangs) as served:
                proc = subprocess.Popen(
                    [
                        *(sys.executable, "-m", "promptlog_contract.cli", "run"),
                        *("--base-url", served.base_url, "--api-key", KEY),
                        *("--report-dir", str(tmp_path), "--timeout", "60s", "--quiet"),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                try:
                    _wait_for(hung.is_set)
                    time.sleep(0.5)
                    signalled = time.monotonic()
                    proc.send_signal(signal.SIGTERM)
                    _out, err = proc.communicate(timeout=30)
                finally:
                    proc.kill()
                took = time.monotonic() - signalled
        finally:
            forward.close()
    assert proc.returncode == 143, err
    assert took < 10, took  # not the 60 s read timeout
    assert deleted  # the cleanup still ran, on fresh connections
    assert json.loads((tmp_path / "summary.json").read_text("utf-8"))["verdict"] == "interrupted"
