"""The concurrency rule as the load job applies it: the checks' `concurrent_patches_merge`.

A server that does read-modify-write without a lock (or last-writer-wins on
the whole record) passes every sequential rule and still loses updates when
two clients PATCH the same log at the same moment. The rule itself lives in
the checks package (one implementation for `run` and `load`); this module
only adapts the load session's (bodies sent, log read back) to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from promptlog_contract.checks import CHECKS, ConcurrentUpdateLost
from promptlog_contract.types import Context, Exchange, HttpRequest, HttpResponse

RULE = "concurrent_patches_merge"
_CHECK = next(entry for entry in CHECKS if entry.name == RULE)
DOC = _CHECK.doc

__all__ = ["DOC", "RULE", "ConcurrentUpdateLost", "concurrent_patches_merge"]


def concurrent_patches_merge(sent: Sequence[Mapping[str, Any]], after: Mapping[str, Any]) -> None:
    """PATCHes of disjoint fields of one log sent at the same time all read back afterwards.

    `sent` are the bodies that got 200, `after` the log read back once all had
    answered. Raises `ConcurrentUpdateLost` when a field was lost.
    """
    response = HttpResponse(200, {"content-type": "application/json"}, b"", dict(after))
    exchange = Exchange(
        "concurrent_get", HttpRequest("GET", "", {}, None), response, concurrent=tuple(sent)
    )
    _CHECK.func(exchange, Context(api_key=""))
