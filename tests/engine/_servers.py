"""Tiny stdlib HTTP servers on 127.0.0.1: scripted answers, and a recording proxy.

The engine's safety rules (429 handling, rate limit, budgets, circuit breaker,
the methods it sends) are seen on the wire, by a server that is not the mock
and knows nothing of the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

#: What a scripted server sends back: (status, headers, body).
Reply = tuple[int, dict[str, str], bytes]
#: (method, path with query, lower-cased headers, body) -> the reply
Answer = Callable[[str, str, dict[str, str], bytes], Reply]


@dataclass
class Served:
    """A running server: its base URL (ending in /v5) and every request it received."""

    base_url: str
    seen: list[tuple[str, str]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    answer: Answer
    served: Served
    lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else Nagle + delayed ACK add 40 ms per response
    server: _Server

    def __getattr__(self, name: str) -> Any:
        # Every method (PUT, TRACE, OPTIONS, ...) reaches `_any`, so every one is recorded.
        if name.startswith("do_"):
            return self._any
        raise AttributeError(name)

    def _any(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.served.seen.append((self.command, self.path))
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out_headers, content = self.server.answer(self.command, self.path, headers, body)
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""


@contextmanager
def serving(answer: Answer) -> Iterator[Served]:
    """Serve `answer` on a free loopback port in a thread until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.answer = answer
    server.lock = threading.Lock()
    server.served = Served(f"http://127.0.0.1:{server.server_address[1]}/v5")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield server.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def json_answer(status: int, content: bytes = b"{}", **headers: str) -> Reply:
    """A JSON reply with the given status, body and extra headers."""
    return status, {"content-type": "application/json", **headers}, content


@contextmanager
def proxying(upstream: str, *, only: Callable[[str, str], bool] | None = None) -> Iterator[Served]:
    """A recording proxy to `upstream` (a base URL ending in /v5).

    Requests for which `only(method, path)` is false are not forwarded: they get a 500.
    """
    origin = upstream.removesuffix("/v5")

    with httpx.Client(timeout=10.0) as client:

        def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
            if only is not None and not only(method, path):
                return json_answer(500, b'{"detail": "scripted outage"}')
            # http.server decodes header values as latin-1: forward the same bytes (a
            # near-miss key wrapped in no-break spaces is not ASCII).
            keep = [
                (k.encode(), v.encode("latin-1"))
                for k, v in headers.items()
                if k in ("x-api-key", "content-type")
            ]
            response = client.request(method, origin + path, headers=keep, content=body or None)
            ctype = response.headers.get("content-type", "application/json")
            return response.status_code, {"content-type": ctype}, response.content

        with serving(answer) as served:
            yield served
