"""A raw-socket loopback server for hostile targets: endless, huge, trickling, bombed answers.

`http.server` insists on well-formed responses; a hostile target does not.
Here an answer writes whatever bytes it likes to the socket. Everything the
answer does not want to misbehave on is forwarded to an upstream (the bundled
mock), so the suite meets one hostile behaviour at a time in a real run.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

import httpx

#: (method, path with query, lower-cased headers, body, the socket's writer) -> keep alive?
RawAnswer = Callable[[str, str, dict[str, str], bytes, BinaryIO], bool]


@dataclass
class Hostile:
    """A running hostile server: its base URL (ending in /v5) and every request line it got."""

    base_url: str
    seen: list[tuple[str, str]] = field(default_factory=list)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    answer: RawAnswer
    hostile: Hostile
    lock: threading.Lock


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        try:
            while self._one():
                pass
        except OSError:
            pass  # the client hung up on an endless or oversized answer: that is the point

    def _one(self) -> bool:
        line = self.rfile.readline(65537)
        if not line.strip():
            return False
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            # HTTP strips only SP and HTAB around a value (RFC 9110 OWS): a near-miss key
            # wrapped in no-break spaces must reach the upstream as sent.
            headers[name.strip().lower()] = value.strip(" \t\r\n")
        length = int(headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.hostile.seen.append((method, target))
        keep = self.server.answer(method, target, headers, body, self.wfile)  # type: ignore[arg-type]
        self.wfile.flush()
        return keep


@contextmanager
def hostile(answer: RawAnswer) -> Iterator[Hostile]:
    """Serve the raw `answer` on a free loopback port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.answer = answer
    server.lock = threading.Lock()
    server.hostile = Hostile(f"http://127.0.0.1:{server.server_address[1]}/v5")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.daemon = True
    thread.start()
    try:
        yield server.hostile
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write_response(
    out: BinaryIO, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None
) -> bool:
    """A complete, well-formed response (keep-alive)."""
    head = {"content-type": "application/json", **(headers or {})}
    head["content-length"] = str(len(body))
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in head.items()]
    out.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    return True


def forwarded_headers(headers: dict[str, str]) -> dict[bytes, bytes]:
    """The key and content type to pass upstream, as the bytes that came in (no-break spaces)."""
    keep = ("x-api-key", "content-type")
    return {k.encode(): v.encode("latin-1") for k, v in headers.items() if k in keep}


class Forward:
    """Forwards a request to the upstream mock and writes its answer back."""

    def __init__(self, upstream: str) -> None:
        self.origin = upstream.removesuffix("/v5")
        self.client = httpx.Client(timeout=10.0)

    def __call__(
        self, method: str, path: str, headers: dict[str, str], body: bytes, out: BinaryIO
    ) -> bool:
        keep = forwarded_headers(headers)
        response = self.client.request(method, self.origin + path, headers=keep, content=body)
        ctype = response.headers.get("content-type", "application/json")
        return write_response(out, response.status_code, response.content, {"content-type": ctype})

    def close(self) -> None:
        self.client.close()


def is_patch(method: str, path: str) -> bool:
    return method == "PATCH" and "/log/" in path
