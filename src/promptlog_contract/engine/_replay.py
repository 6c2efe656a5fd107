"""Replay: re-create a recorded finding on a fresh log, re-send its whole sequence, re-judge it.

A replay that re-sends one PATCH to a log the run already deleted, or that
judges a Schemathesis finding with other checks than the one that failed,
says "fixed" while the bug is still there. This module re-creates what the
finding needs (a fresh scratch log, deleted afterwards), sends the recipe the
run recorded (the whole PATCH -> PATCH -> GET story for stateful rules) and
judges exactly the rule that failed, Schemathesis's checks included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptlog_contract import strategies
from promptlog_contract._secrets import scrub
from promptlog_contract.checks import CHECKS
from promptlog_contract.errors import EXIT_USAGE
from promptlog_contract.types import Context, Exchange, Label

from ._findings import STATEFUL_RULES
from ._http import Target
from ._recorder import Recorder
from ._rerun import Fresh, Recipe, judge, perform, places
from ._schemathesis_phase import RULE_PREFIX, rejudge_for
from ._scratch import ScratchLogRefused, ScratchLogs
from ._sequences import Sequences

_SHOWN = 400
#: Kinds replay cannot re-create alone: a concurrent round is a race between PATCHes
#: (one re-sent PATCH says nothing about it) and a sibling read needs the run's other log.
_NOT_RECREATABLE = {
    "concurrent": "a PATCH of a concurrent round: the race needs the whole round, run the suite",
    "concurrent_get": "a concurrent round: the race needs the whole round, run the suite",
    "sibling_get": "a read of another log of the prompt: it needs the run's sibling log",
}


def recipe_of(finding: Mapping[str, Any]) -> Recipe:
    """The recorded recipe; for a summary without one, the request as recorded."""
    sequence = finding.get("sequence") or {}
    if isinstance(sequence.get("recipe"), dict):
        return Recipe.from_dict(sequence["recipe"])
    request = finding.get("request") or {}
    text = request.get("body")
    try:
        body = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        body = None
    label = finding.get("label")
    raw = next(
        (
            r.name
            for r in strategies.RAW_REQUESTS
            if text is not None and r.content == text.encode()
        ),
        None,
    )
    return Recipe(
        kind=str(finding.get("kind", "open")),
        phase=str(finding.get("phase", "engine")),
        body=body if finding.get("kind") != "raw" else None,
        content=text.encode() if isinstance(text, str) else None,
        content_type=(request.get("headers") or {}).get("content-type"),
        label=Label(tuple(label["path"]), label["rule"], label["severity"]) if label else None,
        raw_name=raw,
    )


def _judged(rule: str, exchanges: list[Exchange]) -> bool:
    """Whether the rule could judge anything re-sent (a stateful rule needs a 200 PATCH)."""
    if rule.startswith(RULE_PREFIX):
        return bool(exchanges)
    kinds = next((c.kinds for c in CHECKS if c.name == rule), frozenset())
    applied = [e for e in exchanges if e.kind in kinds]
    if rule in STATEFUL_RULES:
        applied = [e for e in applied if e.response.status == 200]
    return bool(applied)


def replay_finding(target: Target, finding: Mapping[str, Any]) -> tuple[int, list[str]]:
    """(exit code, lines to print): 1 still fails, 0 judged and held, 2 cannot be re-created."""
    rule, fid = str(finding.get("rule")), str(finding.get("id"))
    recipe = recipe_of(finding)
    why = _NOT_RECREATABLE.get(str(finding.get("kind")), _NOT_RECREATABLE.get(recipe.kind))
    if why is not None:
        return EXIT_USAGE, [f"{fid} {rule}: cannot be re-created by replay: {why}"]
    recorder = Recorder(Context(api_key=target.api_key), strategies.CATALOG)
    seq = Sequences(target, recorder, ScratchLogs(target, tag="replay"))
    try:
        try:
            log = Fresh(seq.logs).log()
        except ScratchLogRefused as exc:
            return EXIT_USAGE, [f"{fid} {rule}: cannot be re-created: {exc}"]
        exchanges = perform(seq, log, recipe)
        rejudge = None
        if rule.startswith(RULE_PREFIX):
            rejudge = rejudge_for(rule, recipe.current_body(), log)
        signature = dict(finding.get("signature") or {"rule": rule})
        where = places(signature, list(finding.get("also") or [])) - {""}
        hit = judge(seq, exchanges, signature, where, rejudge)
        if hit is None:
            # the same rule failing elsewhere is still a failure of that rule
            hit = judge(seq, exchanges, {"rule": rule}, set(), rejudge)
    finally:
        seq.logs.cleanup()
    lines = [f"{fid} {rule}: re-created on a fresh scratch log (deleted again)"]
    for exchange in exchanges:
        response = exchange.response
        sent = (exchange.request.content or b"")[:_SHOWN].decode("utf-8", errors="replace")
        text = response.content[:_SHOWN].decode("utf-8", errors="replace")
        more = "..." if len(response.content) > _SHOWN else ""
        lines.append(f"  {exchange.request.method} {sent} -> HTTP {response.status}".rstrip())
        lines.append("    " + scrub(text, target.api_key).replace("\n", " ") + more)
    if hit is not None:
        message = hit[1].message if hit[1] is not None else "the Schemathesis check fails again"
        lines.append(f"still fails: {scrub(message, target.api_key)}")
        return 1, lines
    if not _judged(rule, exchanges):
        statuses = ", ".join(str(e.response.status) for e in exchanges)
        lines.append(
            f"cannot be re-created: {rule} did not apply to what came back (HTTP {statuses})"
        )
        return EXIT_USAGE, lines
    lines.append(f"no longer fails: {rule} was judged again and held")
    return 0, lines
