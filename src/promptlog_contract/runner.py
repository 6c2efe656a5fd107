"""draw -> send -> check -> results: the conformance engine behind `run`, `fuzz` and pytest.

One run: make scratch logs, send the fixed probes (auth, unknown log, open
questions, raw bytes), send seeded valid and invalid bodies through stateful
PATCH -> PATCH -> GET sequences on several workers, run the Schemathesis
phase, then shrink each failing rule to a minimal body, re-send it to label it
deterministic or flaky, and delete the scratch logs.
"""

from __future__ import annotations

import contextlib
import itertools
import platform
import queue
import random
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from promptlog_contract import _cache, contract, strategies
from promptlog_contract._drawing import shrink
from promptlog_contract._http import BudgetExhausted, Limits, Target, TargetUnhealthy
from promptlog_contract._recorder import Recorder, body_size, fingerprint, is_json_dict
from promptlog_contract.types import (
    Context,
    Exchange,
    Finding,
    InvalidBody,
    RunResult,
    Violation,
)

_SWEEP_SAMPLE = 300
_SWEEP_CHUNK = 25
_SWEEP_TIMES = 3


Job = Callable[["_Log"], list[Exchange]]


class _StopDrawing(Exception):
    """A worker stopped (budget, unhealthy target): the producer stops drawing."""


class ConfigurationError(Exception):
    """The run cannot start because of how it was configured (exit 2)."""


@dataclass(frozen=True)
class Profile:
    valid: int
    invalid: int
    workers: int
    rate_limit: float | None
    schemathesis: int
    rounds: int | None  # None: until --max-time
    shrink_calls: int
    fresh_seed: bool = False


PROFILES: dict[str, Profile] = {
    "ci": Profile(
        valid=80,
        invalid=160,
        workers=2,
        rate_limit=None,
        schemathesis=60,
        rounds=1,
        shrink_calls=60,
    ),
    "staging": Profile(
        valid=40, invalid=80, workers=1, rate_limit=5.0, schemathesis=30, rounds=1, shrink_calls=30
    ),
    "fuzz": Profile(
        valid=150,
        invalid=300,
        workers=2,
        rate_limit=10.0,
        schemathesis=100,
        rounds=None,
        shrink_calls=100,
        fresh_seed=True,
    ),
}


@dataclass(frozen=True)
class RunConfig:
    base_url: str | None = None
    api_key: str | None = None
    prompt_id: str | None = None
    log_id: str | None = None
    profile: str = "ci"
    max_examples: int | None = None
    max_time: float | None = None
    max_requests: int | None = None
    seed: int | None = None
    strict: bool = False
    rate_limit: float | None = None
    timeout: float = 10.0
    workers: int | None = None
    schemathesis: bool = True
    mock_faults: tuple[str, ...] = ()
    max_consecutive_errors: int = 25
    progress: Callable[[str], None] | None = None


@dataclass
class _Log:
    prompt_id: str
    log_id: str
    state: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return f"/prompts/{self.prompt_id}/log/{self.log_id}"


@dataclass
class _Run:
    config: RunConfig
    profile: Profile
    target: Target
    recorder: Recorder
    has_get: bool = True
    created: list[str] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))

    def say(self, line: str) -> None:
        if self.config.progress:
            self.config.progress(line)

    # -- setup and teardown -------------------------------------------------------------
    def new_log(self) -> _Log:
        body = {
            "path": f"promptlog-contract/scratch-{self.run_id}",
            "prompt": {"model": "gpt-4o"},
            "messages": [{"role": "user", "content": "promptlog-contract scratch log"}],
            "output": "scratch",
            "source": "promptlog-contract",
        }
        _, resp = self.target.request("POST", "/prompts/log", json_body=body)
        if resp.status in (401, 403):
            raise ConfigurationError(f"the target refused the API key (HTTP {resp.status})")
        valid = is_json_dict(resp.body) and not list(
            contract.create_log_response_validator().iter_errors(resp.body)
        )
        if resp.status != 200 or not valid:
            raise ConfigurationError(
                f"cannot create a scratch log (POST /prompts/log gave HTTP {resp.status}); "
                "pass --prompt-id and --log-id of an existing log"
            )
        log = _Log(prompt_id=resp.body["prompt_id"], log_id=resp.body["id"])
        self.created.append(log.log_id)
        return log

    def read_state(self, log: _Log) -> None:
        if not self.has_get:
            return
        _, resp = self.target.request("GET", f"/logs/{log.log_id}")
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        elif resp.status in (404, 405, 501):
            self.has_get = False

    def cleanup(self) -> None:
        for start in range(0, len(self.created), 50):
            chunk = self.created[start : start + 50]
            with contextlib.suppress(TargetUnhealthy, BudgetExhausted):
                self.target.request("DELETE", "/logs", params={"id": chunk}, essential=True)

    # -- sequences ----------------------------------------------------------------------
    def valid_sequence(
        self, log: _Log, body: dict[str, Any], *, record: bool = True, phase: str = "engine"
    ) -> list[Exchange]:
        req, resp = self.target.request("PATCH", log.path, json_body=body)
        first = Exchange("valid", req, resp, sent=body, before=log.state, phase=phase)
        out = [first]
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
            req2, resp2 = self.target.request("PATCH", log.path, json_body=body)
            out.append(Exchange("repeat", req2, resp2, sent=body, first=resp.body, phase=phase))
            if resp2.status == 200 and is_json_dict(resp2.body):
                log.state = resp2.body
            if self.has_get:
                req3, resp3 = self.target.request("GET", f"/logs/{log.log_id}")
                out.append(Exchange("get", req3, resp3, before=log.state, phase=phase))
        if record:
            self.recorder.sent(strategies.variants_of(body), resp.status == 200)
        return out

    def invalid_sequence(
        self, log: _Log, case: InvalidBody, *, record: bool = True, phase: str = "engine"
    ) -> list[Exchange]:
        req, resp = self.target.request("PATCH", log.path, json_body=case.body)
        if resp.status == 200 and is_json_dict(resp.body):
            log.state = resp.body
        if record:
            variant = strategies.invalid_variant(case.label)
            self.recorder.sent([variant], 400 <= resp.status < 500)
        return [Exchange("invalid", req, resp, sent=case.body, label=case.label, phase=phase)]

    def judge_all(self, exchanges: list[Exchange]) -> None:
        for exchange in exchanges:
            self.recorder.judge(exchange)

    # -- phases -------------------------------------------------------------------------
    def probes(self, log: _Log) -> None:
        """Fixed probes: auth, unknown log, the open questions, raw byte-level requests."""
        t, body = self.target, {"output": "promptlog-contract auth probe"}
        for kind, auth in (
            ("auth_missing", None),
            ("auth_wrong", "wrong-" + secrets.token_hex(12)),
        ):
            req, resp = t.request("PATCH", log.path, json_body=body, auth=auth)
            self.recorder.judge(Exchange(kind, req, resp, sent=body))  # type: ignore[arg-type]
        missing = f"/prompts/{log.prompt_id}/log/log_promptlog_contract_missing_{self.run_id}"
        req, resp = t.request("PATCH", missing, json_body={"output": "x"})
        self.recorder.judge(Exchange("unknown_log", req, resp, sent={"output": "x"}))
        for open_body in (
            {"output": None},
            {"promptlog_contract_unknown": 1},
            {"log_status": "complete"},
        ):
            req, resp = t.request("PATCH", log.path, json_body=open_body)
            self.recorder.judge(Exchange("open", req, resp, sent=open_body))
        req, resp = t.request("PATCH", log.path, content=None)
        self.recorder.judge(Exchange("open", req, resp))
        for raw in strategies.RAW_REQUESTS:
            req, resp = t.request(
                "PATCH", log.path, content=raw.content, content_type=raw.content_type
            )
            self.recorder.sent([("raw", raw.name)], resp.status in raw.expected_statuses)
            self.recorder.judge(Exchange("raw", req, resp, raw=raw))

    def bodies(self, logs: list[_Log], seed_value: int) -> None:
        """Seeded valid and invalid bodies, streamed to one worker per log as they are drawn.

        Job k goes to worker k % len(logs), so each log sees the same exchanges in
        the same order whatever the thread timing (identical runs, identical
        verdicts), while sending overlaps with Hypothesis generating the next body.
        """
        queues: list[queue.SimpleQueue[Job | None]] = [queue.SimpleQueue() for _ in logs]
        stop = threading.Event()
        counter = itertools.count()

        def emit(job: Job) -> None:
            if stop.is_set():
                raise _StopDrawing
            queues[next(counter) % len(logs)].put(job)

        def produce() -> None:
            valid: list[dict[str, Any]] = []

            def on_valid(body: dict[str, Any]) -> None:
                valid.append(body)
                emit(partial(self.valid_sequence, body=body))

            def on_invalid(case: InvalidBody) -> None:
                emit(partial(self.invalid_sequence, case=case))

            try:
                _cache.stream("valid", self.n_valid, seed_value, on_valid)
                for case in self.sweep(seed_value):
                    on_invalid(case)
                _cache.stream("invalid", self.n_invalid, seed_value + 1, on_invalid)
                for body in self.valid_sweep(valid, seed_value):
                    emit(partial(self.valid_sequence, body=body))
            except _StopDrawing:
                pass
            finally:
                for q in queues:
                    q.put(None)

        def work(index: int) -> None:
            try:
                while (job := queues[index].get()) is not None:
                    self.judge_all(job(logs[index]))
            except BaseException:
                stop.set()
                raise

        with ThreadPoolExecutor(max_workers=len(logs) + 1) as pool:
            producer = pool.submit(produce)
            workers = [pool.submit(work, i) for i in range(len(logs))]
            try:
                for future in workers:
                    future.result()
            finally:
                stop.set()
                producer.result()

    def valid_sweep(self, drawn: list[dict[str, Any]], seed_value: int) -> list[dict[str, Any]]:
        """Extra valid bodies until every catalog variant is sent a few times.

        A variant sent once proves little about a fault that only shows on some
        shapes (a reordered thinking block, say), so each is topped up to
        _SWEEP_TIMES, picking bodies from a larger sample drawn lazily.
        """
        wanted: Counter[tuple[str, str]] = Counter(
            {
                (dim, v): _SWEEP_TIMES
                for dim, variants in strategies.CATALOG.items()
                if dim not in ("invalid_rule", "raw")
                for v in variants
            }
        )
        for body in drawn:
            wanted.subtract(strategies.variants_of(body))
        extra: list[dict[str, Any]] = []
        for chunk in range(_SWEEP_SAMPLE // _SWEEP_CHUNK):
            if not +wanted:
                break
            sample: list[dict[str, Any]] = []
            _cache.stream("valid", _SWEEP_CHUNK, seed_value + 7 + chunk, sample.append)
            for body in sample:
                hits = strategies.variants_of(body)
                if any(wanted[h] > 0 for h in hits):
                    extra.append(body)
                    wanted.subtract(hits)
        return extra

    def sweep(self, seed_value: int) -> list[InvalidBody]:
        """One invalid body per catalog family, so no rule of the contract goes unprobed."""
        return [
            body
            for family in strategies.CATALOG["invalid_rule"]
            for body in self._one_invalid(family, seed_value)
        ]

    @staticmethod
    def _one_invalid(family: str, seed_value: int) -> list[InvalidBody]:
        out: list[InvalidBody] = []
        _cache.stream("invalid", 1, seed_value, out.append, rules=[family])
        return out

    @property
    def n_valid(self) -> int:
        return self.config.max_examples or self.profile.valid

    @property
    def n_invalid(self) -> int:
        n = self.config.max_examples
        return n * 2 if n else self.profile.invalid

    # -- shrinking and reproducibility ------------------------------------------------
    def resend(self, finding: Finding, times: int = 3) -> None:
        """Re-send a recorded (stateless) request and label the finding by how often it recurs."""
        original = self.recorder.exchanges.get(finding.id)
        if original is None:
            return
        path = original.request.url.removeprefix(self.target.base_url).split("?")[0]
        reproduced = 0
        for _ in range(times):
            req, resp = self.target.request(
                original.request.method,
                path,
                content=original.request.content,
                content_type=original.request.headers.get("content-type"),
                auth=_resend_auth(original.kind),
            )
            again = replace(original, request=req, response=resp)
            rejudge = self.recorder.rejudges.get(finding.id)
            if rejudge is not None:
                reproduced += rejudge(again)
            else:
                rules = {rule for rule, _ in self.recorder.judge(again, record=False)}
                reproduced += finding.rule in rules
        finding.reproducibility = "deterministic" if reproduced == times else "flaky"

    def minimise(self, finding: Finding, log: _Log, seed_value: int) -> None:
        """Shrink a body finding to a minimal reproducer and label it deterministic/flaky."""
        invalid = finding.kind == "invalid"
        strategy: Any = (
            strategies.invalid_update_bodies() if invalid else strategies.update_bodies()
        )
        sequence = self.invalid_sequence if invalid else self.valid_sequence
        stop: list[BaseException] = []
        hits: dict[int, tuple[Exchange, Violation]] = {}

        def fails(value: Any) -> bool:
            if stop:
                return False
            try:
                for exchange in sequence(log, value, record=False, phase=finding.phase):
                    for rule, violation in self.recorder.judge(exchange, record=False):
                        if (
                            rule == finding.rule
                            and fingerprint(rule, exchange) == finding.fingerprint
                        ):
                            hits[id(value)] = (exchange, violation)
                            return True
            except (BudgetExhausted, TargetUnhealthy) as exc:
                stop.append(exc)
            return False

        minimal = shrink(
            strategy,
            seed_value + (1 if invalid else 0),
            fails,
            max_examples=max(self.n_invalid if invalid else self.n_valid, 10),
            max_calls=self.profile.shrink_calls,
            size=body_size,
        )
        if stop and isinstance(stop[0], TargetUnhealthy):
            raise stop[0]
        if minimal is None:
            return
        reproduced = 0
        for _ in range(3):
            if fails(minimal):
                reproduced += 1
                exchange, violation = hits[id(minimal)]
                self.recorder.replace_exchange(finding, exchange, violation)
        finding.reproducibility = "deterministic" if reproduced == 3 else "flaky"


def _resend_auth(kind: str) -> str | None:
    if kind == "auth_missing":
        return None
    if kind == "auth_wrong":
        return "wrong-" + secrets.token_hex(12)
    return "key"


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("promptlog-contract", "schemathesis", "hypothesis", "httpx", "jsonschema"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "unknown"
    return out


@contextlib.contextmanager
def _target(config: RunConfig) -> Iterator[tuple[str, str]]:
    """The base URL and key to test: the user's, or a bundled mock on a free loopback port."""
    if config.base_url:
        if not config.api_key:
            raise ConfigurationError("an API key is needed (--api-key or HUMANLOOP_API_KEY)")
        yield config.base_url, config.api_key
        return
    from promptlog_contract.mock import FAULTS, running_mock

    unknown = [f for f in config.mock_faults if f not in FAULTS]
    if unknown:
        raise ConfigurationError(
            f"unknown mock fault(s): {', '.join(unknown)} "
            "(see `promptlog-contract mock --list-faults`)"
        )
    key = config.api_key or "mock-" + secrets.token_urlsafe(16)
    with running_mock(api_keys=(key,), faults=config.mock_faults) as base_url:
        yield base_url, key


def run(config: RunConfig) -> RunResult:
    """Run the suite once and return everything it found (never raises for target faults)."""
    if config.profile not in PROFILES:
        raise ConfigurationError(
            f"unknown profile {config.profile!r} (choose from {', '.join(PROFILES)})"
        )
    profile = PROFILES[config.profile]
    seed_value = (
        config.seed
        if config.seed is not None
        else (random.randrange(2**31) if profile.fresh_seed else 0)
    )
    started = time.monotonic()
    result = RunResult(
        target_url="",
        seed=seed_value,
        profile=config.profile,
        strict=config.strict,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=_versions(),
        contract_hash=contract.contract_hash(),
    )
    with _target(config) as (base_url, api_key):
        result.target_url = base_url
        deadline = started + config.max_time if config.max_time else None
        limits = Limits(
            rate_limit=config.rate_limit or profile.rate_limit,
            max_requests=config.max_requests,
            deadline=deadline,
            timeout_s=config.timeout,
            max_consecutive_errors=config.max_consecutive_errors,
        )
        target = Target(base_url, api_key, limits)
        ctx = Context(api_key=api_key, strict=config.strict)
        state = _Run(config, profile, target, Recorder(ctx, strategies.CATALOG))
        try:
            _execute(state, result, seed_value)
        except TargetUnhealthy as exc:
            result.unhealthy = str(exc)
        finally:
            state.cleanup()
            target.close()
        result.requests_sent = target.sent
        result.requests_by_status = dict(target.by_status)
        result.rules = state.recorder.rules
        result.findings = state.recorder.findings
        result.coverage = state.recorder.coverage
    result.duration_s = round(time.monotonic() - started, 3)
    judged = sum(r.passed + r.failed + r.warned for r in result.rules.values())
    if result.unhealthy is None and judged == 0:
        # A verdict of "pass" that judged nothing would be false comfort.
        raise ConfigurationError("the budget was spent before any rule judged a response")
    return result


def _execute(state: _Run, result: RunResult, seed_value: int) -> None:
    config, profile = state.config, state.profile
    user_log = config.prompt_id and config.log_id
    if (config.prompt_id is None) != (config.log_id is None):
        raise ConfigurationError("--prompt-id and --log-id go together")
    workers = 1 if user_log else max(1, config.workers or profile.workers)
    try:
        if user_log:
            logs = [_Log(str(config.prompt_id), str(config.log_id))]
        else:
            logs = [state.new_log() for _ in range(workers)]
        for log in logs:
            state.read_state(log)
        probe_log = logs[0] if user_log else state.new_log()
    except BudgetExhausted as exc:
        # Nothing was tested yet: a pass here would be vacuous, so it is a usage error.
        setup = 1 if user_log else 2 * workers + 1
        raise ConfigurationError(
            f"{exc} before the first test (setup alone takes {setup} requests); "
            "raise --max-requests or --max-time"
        ) from None
    state.recorder.ctx = replace(state.recorder.ctx, has_get=state.has_get)
    phases: dict[str, Any] = {}
    timer = time.monotonic()
    try:
        state.say("probes: auth, unknown log, open questions, raw requests")
        state.probes(probe_log)
        if user_log:
            # Probes may have changed the user's log (an accepted raw body, a keyless PATCH
            # served anyway): the bodies phase must not take the old state as "before".
            probe_log.state = None
            state.read_state(probe_log)
        phases["probes"] = {"duration_s": round(time.monotonic() - timer, 3)}
        round_no = 0
        while profile.rounds is None or round_no < profile.rounds:
            timer = time.monotonic()
            state.say(f"bodies: round {round_no + 1}, seed {seed_value + 2 * round_no}")
            state.bodies(logs, seed_value + 2 * round_no)
            phases[f"bodies-{round_no + 1}"] = {
                "seed": seed_value + 2 * round_no,
                "duration_s": round(time.monotonic() - timer, 3),
            }
            round_no += 1
            if profile.rounds is None and config.max_time is None and config.max_requests is None:
                break
        if config.schemathesis:
            from promptlog_contract._st_phase import schemathesis_phase

            timer = time.monotonic()
            state.say("schemathesis phase")
            st_log = logs[0] if user_log else state.new_log()
            sent = schemathesis_phase(
                state.target,
                state.recorder,
                st_log.prompt_id,
                st_log.log_id,
                max_examples=profile.schemathesis,
                seed=seed_value,
            )
            phases["schemathesis"] = {
                "cases": sent,
                "duration_s": round(time.monotonic() - timer, 3),
            }
    except BudgetExhausted as exc:
        phases["stopped"] = str(exc)
    phases["first_failure_s"] = dict(state.recorder.first_failure)
    result.phases = phases
    _minimise_all(state, logs[0] if user_log else None, seed_value)


def _minimise_all(state: _Run, user_log: _Log | None, seed_value: int) -> None:
    """Shrink one failure per rule found on drawn bodies; re-send the rest as recorded."""
    body_kinds = {"valid", "invalid", "repeat", "get"}
    done: set[str] = set()
    for finding in list(state.recorder.findings):
        if finding.level != "failure":
            continue
        try:
            if finding.phase == "engine" and finding.kind in body_kinds:
                if finding.rule in done:
                    continue
                done.add(finding.rule)
                log = user_log or state.new_log()
                state.read_state(log)
                state.say(f"shrinking {finding.rule}")
                state.minimise(finding, log, seed_value)
            else:
                state.resend(finding)
        except BudgetExhausted:
            return
