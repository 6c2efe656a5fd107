"""The one way the engine talks to a target: pooled, rate-limited, budgeted, redacted.

Staging is somebody's shared environment: every request goes through here so
that the rate limit, the request budget, the deadline, 429 handling and the
circuit breaker cannot be bypassed, and so that no recorded request ever holds
the API key.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from promptlog_contract._secrets import REDACTED
from promptlog_contract.types import NOT_JSON, HttpRequest, HttpResponse

KEY_HEADER = "X-API-KEY"
_RETRY_AFTER_CAP_S = 30.0
_MAX_429_RETRIES = 5


class TargetUnhealthy(Exception):
    """The target cannot be tested: unreachable, timing out, or failing every request."""


class BudgetExhausted(Exception):
    """The request budget or the time budget is spent; the run stops gracefully."""


@dataclass(frozen=True)
class Limits:
    rate_limit: float | None = None  # requests per second
    max_requests: int | None = None
    deadline: float | None = None  # time.monotonic() value
    timeout_s: float = 10.0
    max_consecutive_errors: int = 25


class _RateLimiter:
    """A start-time spacer: request n may not start before t0 + n / rate."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)


def _parse_json(content: bytes) -> Any:
    if not content:
        return NOT_JSON
    try:
        return json.loads(content)
    except ValueError:
        return NOT_JSON


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after", "1")
    try:
        return min(max(float(value), 0.0), _RETRY_AFTER_CAP_S)
    except ValueError:
        return 1.0


class Target:
    """An HTTP target with the suite's safety rules applied to every request."""

    def __init__(self, base_url: str, api_key: str, limits: Limits) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.limits = limits
        self._client = httpx.Client(
            timeout=limits.timeout_s,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._rate = _RateLimiter(limits.rate_limit)
        self._lock = threading.Lock()
        self.sent = 0
        self.by_status: dict[str, int] = {}
        self._consecutive_errors = 0
        self.tripped: str | None = None

    def close(self) -> None:
        self._client.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _reserve(self, essential: bool) -> None:
        with self._lock:
            if self.tripped and not essential:
                raise TargetUnhealthy(self.tripped)
            if essential:
                self.sent += 1
                return
            if self.limits.max_requests is not None and self.sent >= self.limits.max_requests:
                raise BudgetExhausted("request budget spent")
            if self.limits.deadline is not None and time.monotonic() >= self.limits.deadline:
                raise BudgetExhausted("time budget spent")
            self.sent += 1

    def _note(self, status: int | None, error: str | None = None) -> None:
        with self._lock:
            key = str(status) if status is not None else "error"
            self.by_status[key] = self.by_status.get(key, 0) + 1
            if status is None or status >= 500:
                self._consecutive_errors += 1
                if self._consecutive_errors >= self.limits.max_consecutive_errors:
                    self.tripped = (
                        f"circuit breaker: {self._consecutive_errors} consecutive "
                        f"5xx or transport errors (last: {error or status})"
                    )
            else:
                self._consecutive_errors = 0

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str | None = "application/json",
        params: Mapping[str, Any] | None = None,
        auth: str | bytes | None = "key",
        essential: bool = False,
    ) -> tuple[HttpRequest, HttpResponse]:
        """Send one request. `auth` is "key" (ours), None (no header) or a literal other key.

        A literal key may be bytes, sent as they are: httpx refuses a str value
        outside ASCII (a near-miss key wrapped in no-break spaces).

        `essential` requests (cleanup) ignore the budgets and the open breaker.
        """
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode()
        headers: dict[str, str] = {"accept": "application/json"}
        if content_type is not None and (content is not None or method != "GET"):
            headers["content-type"] = content_type
        if auth == "key":
            headers[KEY_HEADER] = self.api_key
        elif isinstance(auth, str):
            headers[KEY_HEADER] = auth
        wire: Mapping[str, str] | list[tuple[bytes, bytes]] = headers
        if isinstance(auth, bytes):
            wire = [(k.encode(), v.encode()) for k, v in headers.items()]
            wire.append((KEY_HEADER.encode(), auth))
            headers[KEY_HEADER] = REDACTED
        url = self.url(path)
        for _attempt in range(_MAX_429_RETRIES + 1):
            self._reserve(essential)
            self._rate.wait()
            started = time.perf_counter()
            try:
                raw = self._client.request(
                    method, url, content=content, headers=wire, params=params
                )
            except httpx.TimeoutException as exc:
                self._note(None, "timeout")
                raise TargetUnhealthy(f"request timed out after {self.limits.timeout_s}s") from exc
            except httpx.TransportError as exc:
                self._note(None, type(exc).__name__)
                raise TargetUnhealthy(f"cannot reach {self.base_url}: {exc}") from exc
            elapsed = (time.perf_counter() - started) * 1000
            self._note(raw.status_code)
            if raw.status_code == 429 and _attempt < _MAX_429_RETRIES:
                time.sleep(_retry_after(raw))
                continue
            break
        redacted = {
            k: (REDACTED if k.lower() == KEY_HEADER.lower() else v) for k, v in headers.items()
        }
        full_url = str(raw.request.url)
        request = HttpRequest(method=method, url=full_url, headers=redacted, content=content)
        response = HttpResponse(
            status=raw.status_code,
            headers={k.lower(): v for k, v in raw.headers.items()},
            content=raw.content,
            body=_parse_json(raw.content),
            elapsed_ms=elapsed,
        )
        return request, response


def curl_command(request: HttpRequest) -> str:
    """A shell-ready curl reproducer; the key header is already `[REDACTED]`."""
    parts = ["curl", "-sS", "-X", request.method, shlex.quote(request.url)]
    for name, value in request.headers.items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.content is not None:
        text = request.content.decode("utf-8", errors="replace")
        if len(text) > 4096:
            text = text[:4096] + "...(truncated)"
        parts += ["--data-binary", shlex.quote(text)]
    return " ".join(parts)
