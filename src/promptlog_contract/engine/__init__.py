"""draw -> send -> check -> results: the conformance engine behind `run`, `fuzz` and pytest.

One run: make scratch logs, send the fixed probes (auth, unknown log, open
questions, raw bytes), send seeded valid and invalid bodies through stateful
PATCH -> PATCH -> GET sequences on several workers, run the Schemathesis
phase, then shrink each failing rule to a minimal body, re-send it to label it
deterministic or flaky, and delete the scratch logs. Each step lives in its
own module; this one only puts them in order.
"""

from __future__ import annotations

import platform
import time
from dataclasses import replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract.errors import ConfigurationError
from promptlog_contract.types import Context, RunResult

from . import _schedule
from ._drawing import draw_batch
from ._http import BudgetExhausted, Limits, Target, TargetUnhealthy
from ._minimise import minimise_all
from ._mistakes import check_user_log, explain_unhealthy
from ._recorder import Recorder
from ._schemathesis_phase import schemathesis_phase
from ._scratch import ScratchLog, ScratchLogRefused, ScratchLogs
from ._sequences import Sequences
from ._targets import endpoint
from .config import PROFILES, Budget, Profile, RunConfig, Seeds, profile_of

__all__ = [
    "PROFILES",
    "BudgetExhausted",
    "Limits",
    "Profile",
    "RunConfig",
    "ScratchLog",
    "ScratchLogRefused",
    "ScratchLogs",
    "Seeds",
    "Target",
    "TargetUnhealthy",
    "draw_batch",
    "endpoint",
    "run",
]


def run(config: RunConfig) -> RunResult:
    """Run the suite once and return everything it found (never raises for target faults)."""
    profile = profile_of(config)
    if (config.prompt_id is None) != (config.log_id is None):
        raise ConfigurationError("--prompt-id and --log-id go together")
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
        target = Target(base_url, api_key, _schedule.limits_for(config, profile, started))
        recorder = Recorder(Context(api_key=api_key, strict=config.strict), strategies.CATALOG)
        seq = Sequences(target, recorder, ScratchLogs(target))
        try:
            _phases(config, profile, seq, seeds, result)
        except TargetUnhealthy as exc:
            mistake = explain_unhealthy(exc, base_url)  # https:// to a plain-HTTP port: exit 2
            if mistake is not exc:
                raise mistake from None
            result.unhealthy = str(exc)
        finally:
            seq.logs.cleanup()
            target.close()
        result.requests_sent = target.sent
        result.requests_by_status = dict(target.by_status)
        result.rules, result.findings = recorder.rules, recorder.findings
        result.coverage = recorder.coverage
    result.duration_s = round(time.monotonic() - started, 3)
    judged = sum(r.passed + r.failed + r.warned for r in result.rules.values())
    if result.unhealthy is None and judged == 0:
        # A verdict of "pass" that judged nothing would be false comfort.
        raise ConfigurationError("the budget was spent before any rule judged a response")
    return result


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
    except BudgetExhausted as exc:
        # Nothing was tested yet: a pass here would be vacuous, so it is a usage error.
        setup = 1 if user else 2 * workers + 1
        raise ConfigurationError(
            f"{exc} before the first test (setup alone takes {setup} requests); "
            "raise --max-requests or --max-time"
        ) from None
    seq.recorder.ctx = replace(seq.recorder.ctx, has_get=seq.logs.has_get)
    phases: dict[str, Any] = {}
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
        for n in _schedule.rounds(config, profile):
            timer = time.monotonic()
            say(f"bodies: round {n + 1}, seed {seeds.round(n)}")
            _schedule.bodies(seq, logs, seeds, n, budget)
            _schedule.timed(phases, f"bodies-{n + 1}", timer, seed=seeds.round(n))
        if config.schemathesis:
            timer = time.monotonic()
            say("schemathesis phase")
            log = logs[0] if user else seq.logs.new()
            sent = schemathesis_phase(
                seq.target, seq.recorder, log, max_examples=profile.schemathesis, seed=seeds.base
            )
            _schedule.timed(phases, "schemathesis", timer, cases=sent)
    except BudgetExhausted as exc:
        phases["stopped"] = str(exc)
    phases["first_failure_s"] = dict(seq.recorder.first_failure)
    result.phases = phases
    minimise_all(seq, logs[0] if user else None, seeds, budget, profile.shrink_calls, say)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("promptlog-contract", "schemathesis", "hypothesis", "httpx", "jsonschema"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "unknown"
    return out
