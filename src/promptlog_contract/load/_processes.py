"""Starting and stopping the processes of a load run: the mock, the Locust master, workers.

Locust monkey-patches its process for gevent, so the command never imports
it: every Locust node is a `python -m locust` subprocess. Secrets reach them
through the environment, never the command line (which any user of the
machine can list), and each node's output goes to a log file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from ._env import API_KEY, BASE_URL, LOCUSTFILE, MOCK_KEY, PLAIN, POOL

__all__ = ["Node", "free_port", "locust_command", "running_bundled_mock", "start_node", "stop"]

_MOCK_START_S = 30.0


class Node:
    """A running subprocess and the log file it writes to."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.process, self.log = name, process, log

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def locust_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *args]


def start_node(
    name: str,
    command: Sequence[str],
    log: Path | None,
    *,
    base_url: str = "",
    api_key: str = "",
    pool: Path | None = None,
    plain: bool = False,
) -> Node:
    """Start one Locust node; output goes to `log` (None: the terminal's stderr)."""
    env = dict(os.environ)
    env.update({BASE_URL: base_url, API_KEY: api_key, POOL: str(pool or "")})
    env[PLAIN] = "1" if plain else ""
    out: IO[bytes] | int | None
    if log is None:
        out = None
    else:
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("wb")
    try:
        process = subprocess.Popen(
            list(command), env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        if not isinstance(out, int) and out is not None:
            out.close()  # the child holds its own copy
    return Node(name, process, log or Path(os.devnull))


def stop(nodes: Sequence[Node], *, grace_s: float = 5.0) -> None:
    """Terminate the nodes still running (SIGTERM, then SIGKILL after `grace_s`)."""
    for node in nodes:
        if node.process.poll() is None:
            node.process.terminate()
    until = time.monotonic() + grace_s
    for node in nodes:
        try:
            node.process.wait(timeout=max(0.1, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()


@contextlib.contextmanager
def running_bundled_mock(faults: Sequence[str], api_key: str | None) -> Iterator[tuple[str, str]]:
    """Start the bundled mock in its own process; yield (base URL, key)."""
    key = api_key or "mock-" + secrets.token_urlsafe(16)
    env = dict(os.environ)
    env[MOCK_KEY] = key
    command = [sys.executable, "-m", "promptlog_contract.load._mockproc", *faults]
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = _read_line(process, _MOCK_START_S)
        if not line.startswith("http"):
            raise RuntimeError(f"the bundled mock did not start: {line or 'no output'}")
        yield line, key
    finally:
        stop([Node("mock", process, Path(os.devnull))])
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _read_line(process: subprocess.Popen[bytes], timeout_s: float) -> str:
    import selectors

    assert process.stdout is not None and process.stderr is not None
    with selectors.DefaultSelector() as sel:
        sel.register(process.stdout, selectors.EVENT_READ)
        if not sel.select(timeout_s):
            return ""
    raw = process.stdout.readline()
    if not raw and process.poll() is not None:
        return process.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:][0]
    return raw.decode("utf-8", "replace").strip()
