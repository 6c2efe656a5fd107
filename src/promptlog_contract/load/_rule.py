"""The concurrency rule: PATCHes of disjoint fields of one log, sent at once, all stick.

A server that does read-modify-write without a lock (or last-writer-wins on
the whole record) passes every sequential rule and still loses updates when
two clients PATCH the same log at the same moment: only load shows it. The
rule is a pure function like the checks, kept here until the checks package
gains its own `concurrent_patches_merge`, when this module is to be replaced
by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from promptlog_contract.checks import difference
from promptlog_contract.types import Violation

RULE = "concurrent_patches_merge"
DOC = "PATCHes of disjoint fields of one log sent at the same time all read back afterwards."

__all__ = ["DOC", "RULE", "ConcurrentUpdateLost", "concurrent_patches_merge"]


class ConcurrentUpdateLost(Violation):
    """A field PATCHed concurrently with others did not read back: an update was lost."""


def concurrent_patches_merge(sent: Sequence[Mapping[str, Any]], after: Mapping[str, Any]) -> None:
    """PATCHes of disjoint fields of one log sent at the same time all read back afterwards.

    `sent` are the bodies that got 200, `after` the log read back once all had
    answered. Bodies that were rejected are not the rule's business.
    """
    lost: list[str] = []
    for body in sent:
        for field, value in body.items():
            diff = difference(value, after.get(field), field=field)
            if diff is not None:
                lost.append(diff)
    if lost:
        more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
        raise ConcurrentUpdateLost(
            f"{len(sent)} concurrent PATCHes of disjoint fields, then GET: {lost[0]}{more}"[:300]
        )
