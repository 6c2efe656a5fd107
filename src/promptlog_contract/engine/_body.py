"""Reading what a target sends back, when the target may be hostile: bounded bytes, time, depth.

A response body is whatever the server chooses: endless, a gzip bomb, one byte
every few seconds, JSON nested thousands deep, `NaN` literals. Everything here
is bounded before it is trusted: bytes are counted after decompression while
streaming (so a bomb never inflates past the cap), the whole-request deadline
is checked between reads, and parsing is strict and depth-limited, so no
answer can exhaust memory, hang the run or raise a traceback.
"""

from __future__ import annotations

import json
import math
import threading
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from promptlog_contract.types import NOT_JSON

#: Default cap on a response body, decompressed (--max-response-bytes).
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
#: Deeper JSON is not judged (checks and validators recurse); a faithful body is far flatter.
MAX_DEPTH = 64
RETRY_AFTER_CAP_S = 30.0
#: The encodings we decode ourselves (and so announce in Accept-Encoding).
ACCEPT_ENCODING = "gzip, deflate"


class BodyDeadline(Exception):
    """The whole-request deadline passed while the body was still arriving."""


class BodyStopped(Exception):
    """The run was told to stop (a signal) while the body was still arriving."""


@dataclass(frozen=True)
class Body:
    content: bytes
    oversize: bool = False
    problem: str | None = None


class _Inflater:
    """zlib with an output limit per feed, so a bomb costs at most `limit` bytes of memory."""

    def __init__(self, wbits: int) -> None:
        self._wbits = wbits
        self._z = zlib.decompressobj(wbits)
        self._fed = False

    def feed(self, data: bytes, limit: int) -> bytes:
        """Up to `limit + 1` decompressed bytes of `data` (one more than allowed means: too big)."""
        out = bytearray()
        try:
            while data and len(out) <= limit and not self._z.eof:
                out += self._z.decompress(data, limit + 1 - len(out))
                data = self._z.unconsumed_tail
        except zlib.error:
            if self._wbits != zlib.MAX_WBITS or self._fed:
                raise
            # "deflate" is sent both zlib-wrapped and raw; httpx accepts both, so do we.
            self._wbits = -zlib.MAX_WBITS
            self._z = zlib.decompressobj(self._wbits)
            return self.feed(data, limit)
        self._fed = True
        return bytes(out)


def _inflaters(content_encoding: str) -> list[_Inflater] | None:
    """Decoders for the Content-Encoding, outermost last; None for an encoding we do not decode."""
    out: list[_Inflater] = []
    for token in reversed([t.strip().lower() for t in content_encoding.split(",")]):
        if token in ("", "identity"):
            continue
        if token in ("gzip", "x-gzip"):
            out.append(_Inflater(16 + zlib.MAX_WBITS))
        elif token == "deflate":
            out.append(_Inflater(zlib.MAX_WBITS))
        else:
            return None
    return out


def read_body(
    chunks: Iterable[bytes],
    content_encoding: str,
    *,
    cap: int,
    deadline: float,
    stop: threading.Event | None = None,
) -> Body:
    """Read raw `chunks` until the end, the decompressed size passes `cap`, or `deadline`.

    Raises BodyDeadline when time.monotonic() passes `deadline` between reads
    (each read has its own timeout no later than the deadline), BodyStopped
    when `stop` is set. Undecodable bodies are kept raw, with a problem noted.
    """
    inflaters = _inflaters(content_encoding)
    problem = None if inflaters is not None else f"Content-Encoding {content_encoding!r} unknown"
    parts: list[bytes] = []
    total = 0
    try:
        for raw in chunks:
            if time.monotonic() > deadline:
                raise BodyDeadline
            if stop is not None and stop.is_set():
                raise BodyStopped
            data = raw
            for inflater in inflaters or ():
                data = inflater.feed(data, cap - total)
            if total + len(data) > cap:
                parts.append(data[: cap - total])
                return Body(
                    b"".join(parts),
                    oversize=True,
                    problem=f"the body is larger than {cap} bytes (decompressed); reading stopped",
                )
            parts.append(data)
            total += len(data)
    except zlib.error as exc:
        problem = f"the body does not decompress as {content_encoding!r}: {exc}"
    return Body(b"".join(parts), problem=problem)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(content: bytes) -> tuple[Any, str | None]:
    """The strictly parsed body (no NaN, no Infinity, no overflow to inf) or NOT_JSON and why."""
    if not content:
        return NOT_JSON, None
    try:
        body = json.loads(content, parse_constant=_constant, parse_float=_finite)
    except RecursionError:
        return NOT_JSON, f"JSON nested deeper than {MAX_DEPTH} levels"
    except ValueError as exc:
        return NOT_JSON, f"not strict JSON: {str(exc)[:120]}"
    if content.count(b"[") + content.count(b"{") > MAX_DEPTH and _too_deep(body):
        return NOT_JSON, f"JSON nested deeper than {MAX_DEPTH} levels"
    return body, None


def retry_after(value: str | None, *, default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After value: clamped to [0, cap]; junk, NaN or inf: default."""
    if value is None:
        return default
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
    if not math.isfinite(seconds):
        return default
    return min(max(seconds, 0.0), RETRY_AFTER_CAP_S)
