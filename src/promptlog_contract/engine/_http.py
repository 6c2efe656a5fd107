"""The one way the engine talks to a target: pooled, rate-limited, budgeted, bounded, redacted.

Staging is somebody's shared environment, and a target may be hostile: every
request goes through here so that the rate limit, the request budget, the
deadlines (per read, per request, per run), the response-size cap, 429
handling, the stop signal and the circuit breaker cannot be bypassed, and so
that no recorded request or error message ever holds the API key.
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

from promptlog_contract._secrets import REDACTED, printable
from promptlog_contract.types import NOT_JSON, HttpRequest, HttpResponse

from . import _sockets
from ._body import (
    ACCEPT_ENCODING,
    MAX_RESPONSE_BYTES,
    BodyDeadline,
    BodyStopped,
    parse_json,
    read_body,
    retry_after,
)

KEY_HEADER = "X-API-KEY"
_MAX_429_RETRIES = 5
#: A dropped connection is retried this many times before the target counts as unreachable.
_TRANSPORT_RETRIES = 1
#: After a signal, each cleanup request gets this long: CI kills a job soon after SIGTERM.
_CLEANUP_AFTER_STOP_S = 5.0


class TargetUnhealthy(Exception):
    """The target cannot be tested: unreachable, timing out, or failing every request."""


class BudgetExhausted(Exception):
    """The request budget or the time budget is spent; the run stops gracefully."""


class Interrupted(BudgetExhausted):
    """A signal asked the run to stop: no further request is sent (cleanup aside)."""


@dataclass(frozen=True)
class Limits:
    rate_limit: float | None = None  # requests per second
    max_requests: int | None = None
    deadline: float | None = None  # time.monotonic() value
    timeout_s: float = 10.0  # per read (and per connect)
    max_consecutive_errors: int = 25
    #: connect to last byte of one request; None: three read timeouts, at least 30 s
    request_deadline_s: float | None = None
    max_response_bytes: int = MAX_RESPONSE_BYTES

    @property
    def whole_request_s(self) -> float:
        if self.request_deadline_s is not None:
            return self.request_deadline_s
        return max(30.0, 3 * self.timeout_s)


class _RateLimiter:
    """A start-time spacer: request n may not start before t0 + n / rate."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def wait(self, stop: threading.Event) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            stop.wait(start - now)


class Target:
    """An HTTP target with the suite's safety rules applied to every request."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        limits: Limits,
        stop: threading.Event | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.limits = limits
        #: set by a signal handler: every request but cleanup stops at the next chance
        self.stop = stop or threading.Event()
        self._client = httpx.Client(
            timeout=limits.timeout_s,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._closed = threading.Event()
        if stop is not None:
            backend = _sockets.install(self._client)
            if backend is not None:
                _sockets.cut_on(self.stop, self._closed, backend)
        self._rate = _RateLimiter(limits.rate_limit)
        self._lock = threading.Lock()
        self.sent = 0
        self.by_status: dict[str, int] = {}
        self._consecutive_errors = 0
        self.tripped: str | None = None

    def close(self) -> None:
        self._closed.set()
        self._client.close()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def safe(self, text: str) -> str:
        """`text` fit to print: the key scrubbed in every form, control characters escaped."""
        return printable(text, self.api_key)

    def _reserve(self, essential: bool) -> None:
        with self._lock:
            if self.stop.is_set() and not essential:
                raise Interrupted("stopped by a signal")
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
        auth: str | None = "key",
        essential: bool = False,
    ) -> tuple[HttpRequest, HttpResponse]:
        """Send one request. `auth` is "key" (ours), None (no header) or a literal other key.

        `essential` requests (cleanup) ignore the budgets and the open breaker.
        """
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode()
        headers: dict[str, str] = {"accept": "application/json"}
        if content_type is not None and (content is not None or method != "GET"):
            headers["content-type"] = content_type
        if auth == "key":
            headers[KEY_HEADER] = self.api_key
        elif auth is not None:
            headers[KEY_HEADER] = auth
        headers["accept-encoding"] = ACCEPT_ENCODING
        url = self.url(path)
        retries_429 = failures = 0
        while True:
            self._reserve(essential)
            self._rate.wait(self.stop)
            started = time.perf_counter()
            try:
                raw, body = self._exchange(method, url, content, headers, params, essential)
            except httpx.TimeoutException as exc:
                self._stop_if_over(essential)
                self._note(None, "timeout")
                raise TargetUnhealthy(
                    f"request timed out after {self.limits.timeout_s}s without data"
                ) from exc
            except BodyDeadline as exc:
                self._note(None, "timeout")
                self._stop_if_over(essential)
                raise TargetUnhealthy(
                    self.safe(
                        f"{method} {path}: no complete response within "
                        f"{self.limits.whole_request_s}s (the body kept trickling)"
                    )
                ) from exc
            except BodyStopped as exc:
                raise Interrupted("stopped by a signal") from exc
            except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
                if self.stop.is_set() and not essential:
                    raise Interrupted("stopped by a signal") from exc  # our own cut
                self._note(None, type(exc).__name__)
                failures += 1
                if failures <= _TRANSPORT_RETRIES and not (self.tripped and not essential):
                    continue  # one dropped connection is not an unreachable target
                raise TargetUnhealthy(self.safe(f"cannot reach {self.base_url}: {exc}")) from exc
            elapsed = (time.perf_counter() - started) * 1000
            self._note(raw.status_code)
            if raw.status_code == 429 and retries_429 < _MAX_429_RETRIES:
                retries_429 += 1
                self._pause(retry_after(raw.headers.get("retry-after")), essential)
                continue
            break
        redacted = {
            k: (REDACTED if k.lower() == KEY_HEADER.lower() else v) for k, v in headers.items()
        }
        full_url = str(raw.request.url)
        request = HttpRequest(method=method, url=full_url, headers=redacted, content=content)
        parsed, problem = parse_json(body.content) if not body.oversize else (NOT_JSON, None)
        response = HttpResponse(
            status=raw.status_code,
            headers={k.lower(): v for k, v in raw.headers.items()},
            content=body.content,
            body=parsed,
            elapsed_ms=elapsed,
            problem=body.problem or problem,
            oversize=body.oversize,
        )
        return request, response

    def _exchange(
        self,
        method: str,
        url: str,
        content: bytes | None,
        headers: dict[str, str],
        params: Mapping[str, Any] | None,
        essential: bool,
    ) -> tuple[httpx.Response, Any]:
        """One attempt: stream the answer, bounded by size, per-read timeout and deadlines."""
        now = time.monotonic()
        end = now + self.limits.whole_request_s
        if self.limits.deadline is not None and not essential:
            end = min(end, self.limits.deadline)  # --max-time holds mid-request too
        if essential and self.stop.is_set():
            end = min(end, now + _CLEANUP_AFTER_STOP_S)  # a CI runner's grace period is short
        per_read = max(min(self.limits.timeout_s, end - now), 0.001)
        with self._client.stream(
            method, url, content=content, headers=headers, params=params, timeout=per_read
        ) as raw:
            body = read_body(
                raw.iter_raw(),
                raw.headers.get("content-encoding", ""),
                cap=self.limits.max_response_bytes,
                deadline=end,
                stop=None if essential else self.stop,
            )
        return raw, body

    def _stop_if_over(self, essential: bool) -> None:
        """A request cut short by the run's own deadline or a signal is no target failure."""
        if essential:
            return
        if self.stop.is_set():
            raise Interrupted("stopped by a signal")
        deadline = self.limits.deadline
        if deadline is not None and time.monotonic() >= deadline - 0.05:
            raise BudgetExhausted("time budget spent")

    def _pause(self, seconds: float, essential: bool) -> None:
        """Wait out a 429, but never past the run's deadline nor past a stop signal."""
        if not essential and self.limits.deadline is not None:
            seconds = min(seconds, max(self.limits.deadline - time.monotonic(), 0.0))
        if essential:
            time.sleep(seconds)
        elif self.stop.wait(seconds):
            raise Interrupted("stopped by a signal")


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
