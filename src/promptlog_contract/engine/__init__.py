"""draw -> send -> check -> results: the conformance engine behind `run`, `fuzz` and pytest.

One run: make scratch logs, send the fixed probes (auth, unknown log, open
questions, raw bytes), send seeded valid and invalid bodies through stateful
PATCH -> PATCH -> GET sequences on several workers, then rounds of concurrent
PATCHes, reading a sibling log no one PATCHes after each, run the Schemathesis
phase, then shrink each failing rule to a minimal body, re-send it to label it
deterministic or flaky, and delete the scratch logs. Each step lives in its
own module; this one only puts them in order.
"""

from __future__ import annotations

import platform
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract._secrets import Scrubber
from promptlog_contract.checks import MAY_GO_UNJUDGED, OWN_LOG_UNJUDGED
from promptlog_contract.errors import ConfigurationError
from promptlog_contract.types import Context, RuleStats, RunResult

from . import _ahead, _schedule
from ._drawing import draw_batch
from ._http import BudgetExhausted, Interrupted, Limits, Target, TargetUnhealthy
from ._minimise import NOT_RERUN, NOT_RERUN_UNHEALTHY, minimise_all
from ._mistakes import check_user_log, explain_unhealthy
from ._recorder import Recorder
from ._schemathesis_phase import NEGATIVE_CHECKS, POSITIVE_CHECKS, RULE_PREFIX, schemathesis_phase
from ._schemathesis_phase import prepare as prepare_schemathesis
from ._scratch import ScratchLog, ScratchLogRefused, ScratchLogs
from ._sequences import Sequences, redaction_secrets
from ._targets import endpoint
from .config import PROFILES, Budget, Profile, RunConfig, Seeds, Stop, profile_of

__all__ = [
    "PROFILES",
    "BudgetExhausted",
    "Interrupted",
    "Limits",
    "Profile",
    "RunConfig",
    "ScratchLog",
    "ScratchLogRefused",
    "ScratchLogs",
    "Seeds",
    "Stop",
    "Target",
    "TargetUnhealthy",
    "draw_batch",
    "endpoint",
    "run",
]


#: the share of a time-budgeted run's time kept for minimising its findings
_MINIMISE_SHARE = 0.2


def run(config: RunConfig) -> RunResult:
    """Run the suite once and return everything it found (never raises for target faults)."""
    profile = profile_of(config)
    if (config.prompt_id is None) != (config.log_id is None):
        raise ConfigurationError("--prompt-id and --log-id go together")
    if config.user_log:
        try:
            contract.patch_path(str(config.prompt_id), str(config.log_id))
        except contract.UnsafeId as exc:
            raise ConfigurationError(str(exc)) from None
    seeds = Seeds.for_run(config, profile)
    started = time.monotonic()
    result = RunResult(
        target_url="",
        seed=seeds.base,
        profile=config.profile,
        strict=config.strict,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=_versions(),
        contract_hash=contract.contract_hash(),
    )
    with endpoint(config.base_url, config.api_key, config.mock_faults) as (base_url, api_key):
        result.target_url = base_url
        limits = _schedule.limits_for(config, profile, started)
        target = Target(base_url, api_key, limits, stop=config.stop.event if config.stop else None)
        recorder = Recorder(Context(api_key=api_key, strict=config.strict), strategies.CATALOG)
        if config.schemathesis and isinstance(_schedule.rounds(config, profile), range):
            # Its rules must then judge something; a run of rounds until the time budget
            # ends (fuzz) never reaches the phase, so there they are not expected.
            recorder.expect(RULE_PREFIX + name for name in (*POSITIVE_CHECKS, *NEGATIVE_CHECKS))
        recorder.scrubber = Scrubber(redaction_secrets(api_key))
        seq = Sequences(target, recorder, ScratchLogs(target))
        try:
            _phases(config, profile, seq, seeds, result)
        except TargetUnhealthy as exc:
            mistake = explain_unhealthy(exc, base_url)  # https:// to a plain-HTTP port: exit 2
            if mistake is not exc:
                raise mistake from None
            result.unhealthy = target.safe(str(exc))
        except Interrupted:
            pass  # the phases stop where they are; what was found is kept
        finally:
            seq.logs.cleanup()
            target.close()
        if target.stop.is_set():
            signum = config.stop.signum if config.stop else None
            result.interrupted_by = signum or int(signal.SIGINT)
        result.requests_sent = target.sent
        result.requests_by_status = dict(target.by_status)
        findings = recorder.findings
        if not recorder.finished:
            findings = recorder.finish()
            for finding in findings:
                finding.reproducibility = NOT_RERUN_UNHEALTHY if result.unhealthy else NOT_RERUN
        result.rules, result.findings = recorder.rules, findings
        result.coverage = recorder.coverage
        result.leftovers = list(seq.logs.leftovers)
        result.cleanup_error = seq.logs.cleanup_error
        lacks = set() if seq.logs.has_get else {"get"}
        _exercised(result, lacks=lacks | ({"own_log"} if config.user_log else set()))
        result.mock_faults = None if config.base_url else list(config.mock_faults)
    result.duration_s = round(time.monotonic() - started, 3)
    judged = sum(r.judged for r in result.rules.values())
    if judged == 0 and result.phases.get("stopped") == "request budget spent":
        # The user's request budget cannot cover one judged exchange: a usage error. A time
        # budget spent on a slow target is the target's doing: inconclusive (exit 3).
        raise ConfigurationError("the budget was spent before any rule judged a response")
    return result


def _exercised(result: RunResult, *, lacks: set[str]) -> None:
    """Which rules judged nothing, and why: excused (a capability the target lacks) or not.

    A rule that never judged an exchange is not evidence of conformance: unless
    README documents why it may go unjudged, it makes the run inconclusive.
    """
    for rule, stats in result.rules.items():
        if stats.judged:
            continue
        capability, excuse = MAY_GO_UNJUDGED.get(rule, ("", ""))
        if "own_log" in lacks and rule in OWN_LOG_UNJUDGED:  # no sibling log to read back
            capability, excuse = "own_log", OWN_LOG_UNJUDGED[rule]
        if capability in lacks:
            result.excused[rule] = excuse
        elif any(f.level == "failure" for f in result.findings):
            # The target's own failures left this rule nothing to judge (every round lost
            # fields without concurrency too, every 422 came as a 400): listed, and the
            # failures (baselined or not) carry the verdict, not an "inconclusive".
            why = _why_not(stats, result)
            result.excused[rule] = f"{why}; explained by the run's failures"
        else:
            result.not_exercised[rule] = _why_not(stats, result)


def _why_not(stats: RuleStats, result: RunResult) -> str:
    reason = stats.top_reason()
    if reason is not None:
        share = stats.reasons[reason]
        every = "every time" if share == stats.not_applicable else f"{share} times"
        return f"{reason} ({every})"
    stopped = result.phases.get("stopped")
    return f"no exchange it judges was sent{f' ({stopped})' if stopped else ''}"


def _phases(
    config: RunConfig, profile: Profile, seq: Sequences, seeds: Seeds, result: RunResult
) -> None:
    """Setup, probes, body rounds, Schemathesis, minimising: the phase order of a run."""
    say = config.progress or (lambda line: None)
    budget, user = Budget.for_run(config, profile), config.user_log
    workers = 1 if user else max(1, config.workers or profile.workers)
    try:
        logs = [ScratchLog(str(config.prompt_id), str(config.log_id))] if user else []
        logs += [] if user else [seq.logs.new() for _ in range(workers)]
        for log in logs:
            seq.logs.read_state(log)
        if user:
            # A wrong id is exit 2 here, not a run of 404s judged as failures.
            log = logs[0]
            log.state = check_user_log(seq.target, log.prompt_id, log.log_id, log.state)
        probe_log = logs[0] if user else seq.logs.new()
        sibling = None if user else seq.sibling_log(logs[0])
    except Interrupted:
        raise
    except BudgetExhausted as exc:
        # Nothing was tested yet: a pass here would be vacuous, so it is a usage error.
        setup = 1 if user else 2 * workers + 3
        raise ConfigurationError(
            f"{exc} before the first test (setup alone takes {setup} requests); "
            "raise --max-requests or --max-time"
        ) from None
    seq.recorder.ctx = replace(seq.recorder.ctx, has_get=seq.logs.has_get)
    full = seq.target.limits
    if profile.rounds is None and config.max_time and full.deadline is not None:
        # `fuzz` keeps a share of its time to minimise what it found before it ends.
        reserve = _MINIMISE_SHARE * config.max_time
        seq.target.limits = replace(full, deadline=full.deadline - reserve)
    phases: dict[str, Any] = {}
    # Drawing starts now, in drawing processes for runs long enough to repay their start.
    _ahead.use_by_default(_ahead.DEFAULT_PROCESSES if profile.rounds is None else 0)
    persist = config.seed is not None or not profile.fresh_seed  # fresh seeds: never cached
    draws = _schedule.Draws(seeds, budget, persist=persist)
    draws.start(0)
    cases = (
        prepare_schemathesis(profile.schemathesis, seeds.base, persist=persist)
        if config.schemathesis
        else None
    )
    until = _schedule.bodies_until(config, seq.target.limits)
    try:
        timer = time.monotonic()
        say("probes: auth, unknown log, open questions, raw requests")
        seq.probes(probe_log)
        if user:
            # Probes may have changed the user's log (an accepted raw body, a keyless PATCH
            # served anyway): the bodies phase must not take the old state as "before".
            probe_log.state = None
            seq.logs.read_state(probe_log)
        _schedule.timed(phases, "probes", timer)
        for n, more in _schedule.rounds(config, profile, until):
            timer = time.monotonic()
            say(f"bodies: round {n + 1}, seed {seeds.round(n)}")
            _schedule.bodies(seq, logs, draws, n, more=more, until=until)
            _schedule.timed(phases, f"bodies-{n + 1}", timer, seed=seeds.round(n))
            timer = time.monotonic()
            sent = seq.isolation(logs[0], sibling, seeds.concurrent(n), profile.concurrent_rounds)
            _schedule.timed(phases, f"concurrency-{n + 1}", timer, rounds=sent)
        if config.schemathesis:
            timer = time.monotonic()
            say("schemathesis phase")
            log = logs[0] if user else seq.logs.new()
            sent = schemathesis_phase(
                seq.target,
                seq.recorder,
                log,
                max_examples=profile.schemathesis,
                seed=seeds.base,
                cases=cases,
            )
            _schedule.timed(phases, "schemathesis", timer, cases=sent)
    except BudgetExhausted as exc:
        phases["stopped"] = str(exc)
    finally:  # batches drawn ahead and never sent: a process exit would wait for them
        draws.cancel()
        for part in cases or []:
            part.cancel()
    phases["first_failure_s"] = dict(seq.recorder.first_failure)
    result.phases = phases
    seq.target.limits = full
    # The search budget grows with the run's: more examples asked for, more shrinking.
    calls = profile.shrink_calls * max(1, budget.valid // profile.valid)
    faults = None if config.base_url else tuple(config.mock_faults)
    minimise_all(seq, logs[0] if user else None, seeds, budget, calls, say, faults)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("promptlog-contract", "schemathesis", "hypothesis", "httpx", "jsonschema"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "unknown"
    return out
