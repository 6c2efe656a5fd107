"""Rules about what other requests do to a log: concurrent PATCHes, and PATCHes of its siblings.

A sequence of PATCHes sent one by one never shows a read-modify-write without
a lock, nor an update whose WHERE clause matches too many rows; these rules
judge the reads the engine makes after a concurrent round and of a log it
never PATCHed. Comparisons are the partial-update rules' (see `_compare`);
a concurrent round carries a sequential control so that a field the target
loses anyway is left to the sequential rules, not blamed on concurrency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from promptlog_contract import contract
from promptlog_contract.types import Context, Exchange, NotApplicable

from ._check import check
from ._compare import difference
from ._semantics import _ok_log, _raise, located, summary
from ._violations import ConcurrentUpdateLost, SiblingLogChanged


@check(kinds={"concurrent_get"})
def concurrent_patches_merge(exchange: Exchange, ctx: Context) -> None:
    """After concurrent PATCHes of disjoint fields, every field sent reads back (in any order).

    Only loss caused by concurrency counts: when the round's sequential
    control (the same bodies sent one by one to a fresh log) loses a field
    too, the rule does not apply.
    """
    log = _ok_log(exchange)
    if not exchange.concurrent:
        raise NotApplicable("no PATCH of the round got 200: nothing to read back")
    documented = set(contract.documented_request_fields())
    sent: dict[str, list[Any]] = defaultdict(list)
    for body in exchange.concurrent:
        for field, value in body.items():
            if field in documented:
                sent[field].append(value)
    if exchange.control is not None and _lost(sent, exchange.control):
        # Any field, not just the same one: which PATCH a stale read misses depends on the order.
        raise NotApplicable(
            "fields are lost without concurrency too: the sequential rules judge that"
        )
    lost = _lost(sent, log)
    if lost:
        rounds = f"{len(exchange.concurrent)} concurrent PATCHes"
        # No location: which fields a race loses depends on the order the PATCHes land,
        # not on the fields, so one finding (and one baseline entry) is the race itself.
        raise ConcurrentUpdateLost(
            summary(f"a field sent by one of {rounds} was lost", [m for _, m in lost])
        )


def _lost(sent: Mapping[str, list[Any]], log: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The sent fields `log` reads back none of the values of, with what differs."""
    lost: list[tuple[str, str]] = []
    for field, values in sent.items():
        # A field two PATCHes both sent may end as either: any order of application is fine.
        found = [difference(value, log.get(field), field=field) for value in values]
        if all(diff is not None for diff in found):
            lost.append((field, found[0] or field))
    return lost


@check(kinds={"sibling_get"})
def other_logs_untouched(exchange: Exchange, ctx: Context) -> None:
    """A log of the same prompt that was never PATCHed reads back as it was before."""
    log = _ok_log(exchange)
    if exchange.before is None:
        raise NotApplicable("the sibling's earlier state was never read")
    # The nested prompt (its counters and timestamps) and evaluator_logs (monitoring
    # evaluators attach them later) are not the log's own fields: AMBIGUITIES A24.
    fields = (*contract.documented_request_fields(), "id")
    found = located(exchange.before, log, fields)
    _raise(SiblingLogChanged, "a log that was not PATCHed changed", found)
