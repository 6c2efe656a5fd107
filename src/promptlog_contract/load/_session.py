"""What one simulated user does, and the per-process tally its exchanges go to.

Kept free of Locust and gevent: a `Session` is handed a `Send` function (the
Locust client in a worker, httpx in unit tests) and a `Parallel` function (a
gevent pool in a worker, threads in tests), so the sequences and the judging
are the same code whatever drives them, and are tested without a load run.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from promptlog_contract.types import (
    Context,
    Exchange,
    ExchangeKind,
    HttpRequest,
    HttpResponse,
    RuleStats,
    Violation,
)

from ._engine import Recorder, is_json_dict
from ._pool import Pool
from ._rule import RULE, concurrent_patches_merge

__all__ = ["BREAKER", "Parallel", "Send", "Session", "SetupFailed", "Tally"]

KEY_HEADER = "X-API-KEY"
REDACTED = "[REDACTED]"
#: consecutive 5xx or transport errors in one process that stop the run (as `run`'s breaker)
BREAKER = 25
#: fields the concurrency round PATCHes, one per concurrent client, and how to fill them
CONCURRENT_FIELDS: dict[str, Callable[[str, int], Any]] = {
    "output": lambda token, n: f"promptlog-contract concurrent {token}",
    "stdout": lambda token, n: f"stdout {token}",
    "metadata": lambda token, n: {"promptlog_contract": token},
    "output_tokens": lambda token, n: n,
}

Judge = Callable[[HttpResponse], str | None]


class Send(Protocol):
    """Send one request; call `judge` on the answer (its result: why it failed, or None).

    Returns None when no HTTP answer came back (connection error, timeout).
    """

    def __call__(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        name: str,
        judge: Judge | None,
    ) -> HttpResponse | None: ...


Parallel = Callable[[Sequence[Callable[[], Any]]], list[Any]]


class SetupFailed(Exception):
    """The user could not create its scratch log; it stops (the reason is in the tally)."""


class Tally:
    """Everything one worker process judged: rule counts, findings, coverage, its logs."""

    def __init__(self, api_key: str, *, strict: bool = False) -> None:
        self.recorder = Recorder(Context(api_key=api_key, strict=strict), {})
        self.recorder.rules.setdefault(RULE, RuleStats())
        self.created: list[str] = []
        self.unsent_logs: list[str] = []
        self.unhealthy: str | None = None
        self.exchanges = 0
        self.by_status: dict[str, int] = {}
        self._errors = 0

    def note(self, status: int | None, what: str) -> None:
        """Count a status, and for the breaker: BREAKER 5xx/transport errors in a row trip it."""
        key = "error" if status is None else str(status)
        self.by_status[key] = self.by_status.get(key, 0) + 1
        if status is not None and status < 500:
            self._errors = 0
            return
        self._errors += 1
        if self._errors >= BREAKER and self.unhealthy is None:
            self.unhealthy = (
                f"circuit breaker: {self._errors} consecutive 5xx or transport errors "
                f"(last: {what})"
            )

    def log_created(self, log_id: str) -> None:
        self.created.append(log_id)
        self.unsent_logs.append(log_id)

    def take_new_logs(self) -> list[str]:
        out, self.unsent_logs = self.unsent_logs, []
        return out

    def snapshot(self) -> dict[str, Any]:
        """The cumulative state, JSON-ready: the master keeps the latest one per worker."""
        rec = self.recorder
        return {
            "rules": {name: stats.to_dict() for name, stats in rec.rules.items()},
            "findings": [f.to_dict() for f in rec.findings],
            "coverage": rec.coverage,
            "first_failure_s": dict(rec.first_failure),
            "unhealthy": self.unhealthy,
            "exchanges": self.exchanges,
            "by_status": dict(self.by_status),
            "logs": list(self.created),
        }


@dataclass
class _Log:
    prompt_id: str
    log_id: str
    state: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return f"/prompts/{self.prompt_id}/log/{self.log_id}"


@dataclass
class Session:
    """One simulated user: its scratch logs, its place in the pool, its sequences."""

    tally: Tally
    send: Send
    pool: Pool
    base_url: str
    api_key: str
    namespace: str
    offset: int = 0
    judged: bool = True
    rng: random.Random = field(default_factory=random.Random)
    log: _Log | None = None
    shared: _Log | None = None
    _valid: itertools.count[int] = field(default_factory=itertools.count)
    _invalid: itertools.count[int] = field(default_factory=itertools.count)
    _rounds: itertools.count[int] = field(default_factory=itertools.count)

    # -- sending --------------------------------------------------------------------
    def _request(
        self,
        kind: ExchangeKind | None,
        method: str,
        path: str,
        *,
        name: str,
        body: Any = None,
        auth: str | None = "key",
        extra: Callable[[Exchange], list[tuple[str, Violation | None]]] | None = None,
        **fields: Any,
    ) -> tuple[HttpResponse | None, Exchange | None]:
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"accept": "application/json"}
        if content is not None:
            headers["content-type"] = "application/json"
        if auth == "key":
            headers[KEY_HEADER] = self.api_key
        elif auth is not None:
            headers[KEY_HEADER] = auth
        shown = {k: (REDACTED if k == KEY_HEADER else v) for k, v in headers.items()}
        request = HttpRequest(method, self.base_url + path, shown, content)
        made: list[Exchange] = []

        def judge(response: HttpResponse) -> str | None:
            self.tally.note(response.status, str(response.status))
            if kind is None or not self.judged:
                return None
            exchange = Exchange(kind, request, response, sent=body, phase="load", **fields)
            made.append(exchange)
            self.tally.exchanges += 1
            failed = [rule for rule, v in self.tally.recorder.judge(exchange) if not v.warning]
            for rule, violation in extra(exchange) if extra else []:
                self.tally.recorder.record_external(rule, exchange, violation)
                if violation is not None and not violation.warning:
                    failed.append(rule)
            return ", ".join(failed) or None

        response = self.send(method, path, content=content, headers=headers, name=name, judge=judge)
        if response is None:
            self.tally.note(None, "transport error")
        return response, (made[0] if made else None)

    def _new_log(self) -> _Log:
        body = {
            "path": self.namespace,
            "prompt": {"model": "gpt-4o"},
            "messages": [{"role": "user", "content": "promptlog-contract load scratch log"}],
            "output": "scratch",
            "source": "promptlog-contract",
        }
        resp, _ = self._request(None, "POST", "/prompts/log", name="setup POST", body=body)
        if resp is not None and resp.status in (401, 403):
            self.tally.unhealthy = f"the target refused the API key (HTTP {resp.status})"
        if resp is None or resp.status != 200 or not is_json_dict(resp.body):
            answer = f"HTTP {resp.status}" if resp is not None else "no answer"
            reason = f"cannot create a scratch log (POST /prompts/log: {answer})"
            # Without a log a user tests nothing: the run stops rather than pass vacuously.
            self.tally.unhealthy = self.tally.unhealthy or reason
            raise SetupFailed(reason)
        log = _Log(str(resp.body.get("prompt_id")), str(resp.body.get("id")))
        self.tally.log_created(log.log_id)
        resp, _ = self._request(None, "GET", f"/logs/{log.log_id}", name="setup GET")
        if resp is not None and resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        return log

    # -- what a user does -------------------------------------------------------------
    def start(self) -> None:
        """Create the user's scratch logs and send the fixed probes once."""
        self.log = self._new_log()
        self.shared = self._new_log()
        probe = {"output": "promptlog-contract auth probe"}
        wrong = "wrong-" + secrets.token_hex(12)
        probes: tuple[tuple[ExchangeKind, str | None], ...] = (
            ("auth_missing", None),
            ("auth_wrong", wrong),
        )
        for kind, auth in probes:
            self._request(kind, "PATCH", self.log.path, name="probe PATCH", body=probe, auth=auth)
        missing = f"/prompts/{self.log.prompt_id}/log/log_promptlog_contract_missing"
        self._request("unknown_log", "PATCH", missing, name="probe PATCH", body={"output": "x"})

    def valid(self) -> None:
        """PATCH a drawn valid body, send it again, read the log back: each judged."""
        log = self._log()
        body, variants = self.pool.valid[(self.offset + next(self._valid)) % len(self.pool.valid)]
        resp, _ = self._request(
            "valid", "PATCH", log.path, name="valid PATCH", body=body, before=log.state
        )
        if self.judged:
            self.tally.recorder.sent(variants, resp is not None and resp.status == 200)
        if resp is None or resp.status != 200 or not is_json_dict(resp.body):
            return
        log.state = resp.body
        again, _ = self._request(
            "repeat", "PATCH", log.path, name="valid repeat", body=body, first=resp.body
        )
        if again is not None and again.status == 200 and is_json_dict(again.body):
            log.state = again.body
        self._request("get", "GET", f"/logs/{log.log_id}", name="valid GET", before=log.state)

    def invalid(self) -> None:
        """PATCH a drawn invalid body (it must be rejected, and say where)."""
        log = self._log()
        index = (self.offset + next(self._invalid)) % len(self.pool.invalid)
        case, variant = self.pool.invalid[index]
        resp, _ = self._request(
            "invalid", "PATCH", log.path, name="invalid PATCH", body=case.body, label=case.label
        )
        if self.judged:
            self.tally.recorder.sent([variant], resp is not None and 400 <= resp.status < 500)
        if resp is not None and resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body

    def concurrent(self, parallel: Parallel) -> None:
        """PATCH disjoint fields of the shared log at once, then GET: every field must stick."""
        log = self.shared
        if log is None:
            raise SetupFailed("no shared log")
        n = next(self._rounds)
        token = f"{secrets.token_hex(4)}-{n}"
        number = self.rng.randrange(1, 2**31)
        bodies = [{name: make(token, number)} for name, make in CONCURRENT_FIELDS.items()]

        def patch(body: dict[str, Any]) -> Callable[[], HttpResponse | None]:
            def go() -> HttpResponse | None:
                resp, _ = self._request(
                    "valid", "PATCH", log.path, name="concurrent PATCH", body=body
                )
                return resp

            return go

        answers = parallel([patch(body) for body in bodies])
        applied = [
            body
            for body, resp in zip(bodies, answers, strict=True)
            if resp is not None and resp.status == 200
        ]

        def merged(exchange: Exchange) -> list[tuple[str, Violation | None]]:
            after = exchange.response.body
            if exchange.response.status != 200 or not is_json_dict(after) or not applied:
                return []  # the rule does not apply: nothing to compare
            try:
                concurrent_patches_merge(applied, after)
            except Violation as violation:
                return [(RULE, violation)]
            return [(RULE, None)]

        self._request("get", "GET", f"/logs/{log.log_id}", name="concurrent GET", extra=merged)

    def _log(self) -> _Log:
        if self.log is None:
            raise SetupFailed("the user has no scratch log")
        return self.log
