"""After the run: shrink each failing rule to a minimal body, and re-send the rest as recorded.

A finding is only useful if it can be reproduced: body findings are shrunk by
re-running the seeded search against the live target (so the minimal body
still fails there), other findings are re-sent as recorded; both are labelled
deterministic or flaky by how often they recur.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from promptlog_contract import strategies
from promptlog_contract.types import Exchange, Finding, Violation

from ._drawing import shrink
from ._http import BudgetExhausted, TargetUnhealthy
from ._recorder import body_size, fingerprint
from ._scratch import ScratchLog
from ._sequences import Sequences, near_miss_value
from .config import Budget, Seeds

_BODY_KINDS = frozenset({"valid", "invalid", "repeat", "get"})
_TIMES = 3


def minimise_all(
    seq: Sequences,
    user_log: ScratchLog | None,
    seeds: Seeds,
    budget: Budget,
    shrink_calls: int,
    say: Callable[[str], None],
) -> None:
    """Shrink one failure per rule found on drawn bodies; re-send the rest as recorded."""
    done: set[str] = set()
    for finding in list(seq.recorder.findings):
        if finding.level != "failure":
            continue
        try:
            if finding.phase == "engine" and finding.kind in _BODY_KINDS:
                if finding.rule in done:
                    continue
                done.add(finding.rule)
                log = user_log or seq.logs.new()
                seq.logs.read_state(log)
                say(f"shrinking {finding.rule}")
                minimise(seq, finding, log, seeds, budget, shrink_calls)
            elif finding.kind == "concurrent_get":
                if user_log is None:  # each repetition needs a log without those values yet
                    resend_round(seq, finding)
            else:
                resend(seq, finding)
        except BudgetExhausted:
            return


def _resend_auth(original: Exchange, api_key: str) -> str | bytes | None:
    kind = original.kind
    if kind == "auth_missing":
        return None
    if kind == "auth_wrong":
        return "wrong-" + secrets.token_hex(12)
    if kind == "auth_near_miss":
        # The same near miss again: the recorded request holds only [REDACTED].
        return near_miss_value(api_key, original.variant) or "wrong-" + secrets.token_hex(12)
    return "key"


def resend(seq: Sequences, finding: Finding, times: int = _TIMES) -> None:
    """Re-send a recorded (stateless) request and label the finding by how often it recurs."""
    recorder, target = seq.recorder, seq.target
    original = recorder.exchanges.get(finding.id)
    if original is None:
        return
    path = original.request.url.removeprefix(target.base_url).split("?")[0]
    reproduced = 0
    for _ in range(times):
        req, resp = target.request(
            original.request.method,
            path,
            content=original.request.content,
            content_type=original.request.headers.get("content-type"),
            auth=_resend_auth(original, target.api_key),
        )
        again = replace(original, request=req, response=resp)
        rejudge = recorder.rejudges.get(finding.id)
        if rejudge is not None:
            reproduced += rejudge(again)
        else:
            rules = {rule for rule, _ in recorder.judge(again, record=False)}
            reproduced += finding.rule in rules
    finding.reproducibility = "deterministic" if reproduced == times else "flaky"


def resend_round(seq: Sequences, finding: Finding, times: int = _TIMES) -> None:
    """Send a lost-update round again, at once, each time to a new scratch log.

    Re-reading the old log tells nothing (later rounds wrote over it), and a
    log that already holds the round's values cannot show one lost. Labels the
    finding by how often it recurs.
    """
    original = seq.recorder.exchanges.get(finding.id)
    if original is None or not original.concurrent:
        return
    reproduced = 0
    for _ in range(times):
        log = seq.logs.new()
        seq.logs.read_state(log)
        exchanges = seq.concurrent(log, original.concurrent, phase=finding.phase)
        rules = {rule for ex in exchanges for rule, _ in seq.recorder.judge(ex, record=False)}
        reproduced += finding.rule in rules
    finding.reproducibility = "deterministic" if reproduced == times else "flaky"


def minimise(
    seq: Sequences,
    finding: Finding,
    log: ScratchLog,
    seeds: Seeds,
    budget: Budget,
    shrink_calls: int,
) -> None:
    """Shrink a body finding to a minimal reproducer and label it deterministic/flaky."""
    invalid = finding.kind == "invalid"
    strategy: Any = strategies.invalid_update_bodies() if invalid else strategies.update_bodies()
    sequence = seq.invalid if invalid else seq.valid
    stop: list[BaseException] = []
    hits: dict[int, tuple[Exchange, Violation]] = {}

    def fails(value: Any) -> bool:
        if stop:
            return False
        try:
            for exchange in sequence(log, value, record=False, phase=finding.phase):
                for rule, violation in seq.recorder.judge(exchange, record=False):
                    if rule == finding.rule and fingerprint(rule, exchange) == finding.fingerprint:
                        hits[id(value)] = (exchange, violation)
                        return True
        except (BudgetExhausted, TargetUnhealthy) as exc:
            stop.append(exc)
        return False

    minimal = shrink(
        strategy,
        seeds.shrink(invalid=invalid),
        fails,
        max_examples=max(budget.invalid if invalid else budget.valid, 10),
        max_calls=shrink_calls,
        size=body_size,
    )
    if stop and isinstance(stop[0], TargetUnhealthy):
        raise stop[0]
    if minimal is None:
        return
    reproduced = 0
    for _ in range(_TIMES):
        if fails(minimal):
            reproduced += 1
            exchange, violation = hits[id(minimal)]
            seq.recorder.replace_exchange(finding, exchange, violation)
    finding.reproducibility = "deterministic" if reproduced == _TIMES else "flaky"
