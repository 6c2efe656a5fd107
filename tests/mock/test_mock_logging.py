"""uvicorn's notices: silent for a mock the suite starts, kept for `promptlog-contract mock`.

The suite sends malformed HTTP on purpose (raw probes, Schemathesis), and a
background mock must not answer each with "Invalid HTTP request received." on
the user's terminal; a mock the user runs must still say what it sees.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from promptlog_contract.mock._server import _QuietMockThreads

pytestmark = pytest.mark.socket

NOTICE = "Invalid HTTP request received."


def _send_garbage(host: str, port: int) -> None:
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
        sock.settimeout(5)
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass


_BACKGROUND = """
import socket, sys, time
from urllib.parse import urlsplit
from promptlog_contract.mock import running_mock
with running_mock() as base_url:
    parts = urlsplit(base_url)
    for _ in range(3):
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
            sock.sendall(b"\\x16\\x03\\x01 this is not HTTP\\r\\n\\r\\n")
            sock.settimeout(5)
            while sock.recv(4096):
                pass
    time.sleep(0.1)
print("done")
"""


def test_background_mock_keeps_invalid_request_notices_quiet() -> None:
    # A child process: pytest's own log capture would hide the notice either way.
    done = subprocess.run(
        [sys.executable, "-c", _BACKGROUND], capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "done\n", done.stderr
    assert NOTICE not in done.stderr
    assert done.stderr == ""


def test_quiet_filter_passes_errors_and_other_threads() -> None:
    quiet = _QuietMockThreads()

    def record(level: int) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", level, __file__, 1, NOTICE, None, None)

    seen: dict[str, bool] = {}

    def in_mock_thread() -> None:
        seen["warning"] = quiet.filter(record(logging.WARNING))
        seen["error"] = quiet.filter(record(logging.ERROR))

    thread = threading.Thread(target=in_mock_thread, name="promptlog-contract-mock")
    thread.start()
    thread.join()
    assert seen == {"warning": False, "error": True}
    assert quiet.filter(record(logging.WARNING))  # the main thread: a user-run mock


def test_user_run_mock_still_reports_invalid_requests() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "promptlog_contract", "mock", "--port", "0", "--api-key", "k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode()
        port = int(first.split("http://127.0.0.1:")[1].split("/")[0])
        _send_garbage("127.0.0.1", port)
        time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert NOTICE in err.decode()
