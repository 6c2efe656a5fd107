"""Running the mock over a real socket: in a background thread, or in the foreground.

The socket is bound here, before uvicorn starts, so `port=0` yields a free
port with no race between choosing it and listening on it, and a port that is
taken fails with one clear `OSError` instead of uvicorn's `sys.exit`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from ._app import create_app

_START_TIMEOUT = 10.0
_THREAD_NAME = "promptlog-contract-mock"


class _QuietMockThreads(logging.Filter):
    """Drops uvicorn's notices (below ERROR) logged from a background mock's thread.

    The suite's raw probes and Schemathesis send malformed HTTP on purpose, and
    uvicorn says "Invalid HTTP request received." for each; errors still pass,
    and a mock run with `promptlog-contract mock` (the main thread) says everything.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or record.threadName != _THREAD_NAME


def _quiet_background_mocks() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietMockThreads) for f in logger.filters):
        logger.addFilter(_QuietMockThreads())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it Nagle + delayed ACK add 40 ms to every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _base_url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v5"


class _Server(uvicorn.Server):
    """uvicorn's server, polling for shutdown every 10 ms instead of 100 ms.

    The suite's self-check starts and stops dozens of mocks in one run; the
    shorter poll makes each stop take about 0.1 s instead of 0.2 s.
    """

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            await asyncio.sleep(0.01)


def _server(app: FastAPI, *, quiet_logging: bool) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
        loop="asyncio",
        timeout_graceful_shutdown=2,
        # Library use must not reconfigure the host program's logging.
        log_config=None if quiet_logging else uvicorn.config.LOGGING_CONFIG,
    )
    return _Server(config)


@contextmanager
def running_mock(
    *,
    api_keys: Sequence[str] = ("mock-key",),
    faults: Iterable[str] = (),
    host: str = "127.0.0.1",
    port: int = 0,
    max_body_bytes: int = 1_048_576,
) -> Iterator[str]:
    """Serve the mock in a background thread; yield its base URL (`http://host:port/v5`)."""
    app = create_app(api_keys=api_keys, faults=faults, max_body_bytes=max_body_bytes)
    sock = _bind(host, port)
    server = _server(app, quiet_logging=True)
    _quiet_background_mocks()
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=_THREAD_NAME, daemon=True
    )
    try:
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the mock server stopped while starting")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the mock server did not start within {_START_TIMEOUT:g} s")
            time.sleep(0.002)
        yield _base_url(host, sock)
    finally:
        server.should_exit = True
        thread.join(timeout=_START_TIMEOUT)
        sock.close()


def serve(
    *,
    host: str,
    port: int,
    api_keys: Sequence[str],
    faults: Sequence[str],
    max_body_bytes: int = 1_048_576,
) -> None:
    """Serve the mock in the foreground until Ctrl-C; print where, with which key and faults.

    Raises ``ValueError`` for an unknown fault or no key, ``OSError`` if the
    address cannot be bound.
    """
    app = create_app(api_keys=api_keys, faults=faults, max_body_bytes=max_body_bytes)
    sock = _bind(host, port)
    keys = list(api_keys)
    also = f" (also accepted: {', '.join(keys[1:])})" if len(keys) > 1 else ""
    active: tuple[str, ...] = app.state.faults
    print(f"Mock listening on {_base_url(host, sock)} — use X-API-KEY: {keys[0]}{also}", flush=True)
    print(f"Active faults: {', '.join(active)}" if active else "No faults active", flush=True)
    try:
        _server(app, quiet_logging=False).run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it already handled; stopping is the point
    finally:
        sock.close()
