"""Cutting in-flight requests short when the run is told to stop.

A signal must stop the run within about 2 s, but a worker blocked reading
from a target that hangs would wait out its read timeout (10 s by default),
and CI kills a job soon after SIGTERM. httpx cannot cancel a blocking read
from another thread; shutting the socket down can. So the connection pool
uses the default network backend with one addition: it remembers its sockets
(weakly), and `cut` shuts down every one still open. Connections made
afterwards (cleanup) are untouched.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx


class TrackingBackend(httpcore.SyncBackend):
    """httpcore's default backend, remembering each socket it opens."""

    def __init__(self) -> None:
        super().__init__()
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(host, port, timeout, local_address, socket_options)
        sock = stream.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            with self._lock:
                self._open.add(sock)
        return stream

    def cut(self) -> None:
        """Shut down every socket opened so far: blocked reads return at once."""
        with self._lock:
            sockets = list(self._open)
            self._open = weakref.WeakSet()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def install(client: httpx.Client) -> TrackingBackend | None:
    """Give `client`'s connection pool a TrackingBackend; None if its transport is not httpx's."""
    transport = getattr(client, "_transport", None)
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        return None
    backend = TrackingBackend()
    pool._network_backend = backend
    return backend


def cut_on(stop: threading.Event, closed: threading.Event, backend: TrackingBackend) -> None:
    """Start a daemon thread that cuts `backend`'s sockets once `stop` is set (until `closed`)."""

    def watch() -> None:
        while not closed.is_set():
            if stop.wait(0.2):
                backend.cut()
                return

    threading.Thread(target=watch, name="promptlog-contract-stop", daemon=True).start()
