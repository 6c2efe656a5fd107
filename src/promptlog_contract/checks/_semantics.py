"""Rules about partial-update semantics: what a PATCH does to the stored log.

Fields sent are applied, fields not sent stay as they were, sending the same
body again changes nothing, and reading the log back agrees with the PATCH's
answer. All comparisons are semantic (see `_compare`), never byte-wise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from promptlog_contract import contract
from promptlog_contract.types import Context, Exchange, NotApplicable

from ._check import check
from ._compare import difference
from ._violations import (
    GetDisagreesWithPatch,
    OmittedFieldChanged,
    PatchedFieldNotApplied,
    RepeatChangedState,
)

_MESSAGE_LIMIT = 300


def differences(
    expected: Mapping[str, Any], got: Mapping[str, Any], fields: Iterable[str]
) -> list[str]:
    """'field: where and how' for every field on which `got` differs from `expected`."""
    found = []
    for field in fields:
        diff = difference(expected.get(field), got.get(field), field=field)
        if diff is not None:
            found.append(diff)
    return found


def summary(what: str, found: list[str]) -> str:
    """One message for a list of differences: the first in full, the rest by count."""
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return f"{what}: {found[0]}{more}"[:_MESSAGE_LIMIT]


def _ok_log(exchange: Exchange) -> dict[str, Any]:
    """The 200 body when it is a JSON object, else NotApplicable (other rules judge the rest)."""
    body = exchange.response.body
    status = exchange.response.status
    if status != 200:
        raise NotApplicable(f"the target answered {status}, not 200")
    if not isinstance(body, dict):
        raise NotApplicable("the 200 body is not a JSON object (response_matches_union's)")
    return body


@check(kinds={"valid", "concurrent"})
def patched_fields_applied(exchange: Exchange, ctx: Context) -> None:
    """Every documented field sent in the PATCH reads back equal in the 200 body."""
    log = _ok_log(exchange)
    if not isinstance(exchange.sent, dict):
        raise NotApplicable("no JSON object was sent")
    documented = set(contract.documented_request_fields())
    sent = [field for field in exchange.sent if field in documented]
    found = differences(exchange.sent, log, sent)
    if found:
        raise PatchedFieldNotApplied(summary("a sent field was not applied", found))


@check(kinds={"valid"})
def omitted_fields_unchanged(exchange: Exchange, ctx: Context) -> None:
    """Every documented field not sent in the PATCH keeps the value it had before."""
    log = _ok_log(exchange)
    if exchange.before is None or not isinstance(exchange.sent, dict):
        raise NotApplicable("the log's state before the PATCH is unknown")
    sent = exchange.sent
    omitted = [f for f in contract.documented_request_fields() if f not in sent]
    found = differences(exchange.before, log, omitted)
    if found:
        raise OmittedFieldChanged(summary("a field that was not sent changed", found))


@check(kinds={"repeat"})
def repeat_is_stable(exchange: Exchange, ctx: Context) -> None:
    """Sending the same body again leaves the log as the first send left it."""
    log = _ok_log(exchange)
    if exchange.first is None:
        raise NotApplicable("the first send's answer is unknown")
    fields = (*contract.documented_request_fields(), "id")
    found = differences(exchange.first, log, fields)
    if found:
        raise RepeatChangedState(summary("the repeat changed the log", found))


@check(kinds={"get"})
def get_agrees_with_patch(exchange: Exchange, ctx: Context) -> None:
    """Reading the log back gives what the PATCH's 200 body said."""
    log = _ok_log(exchange)
    patched = exchange.patched
    if patched is None:
        raise NotApplicable("the PATCH's answer is unknown")
    found = differences(patched, log, (*contract.documented_request_fields(), "id"))
    before, after = patched.get("prompt"), log.get("prompt")
    if isinstance(before, dict) and isinstance(after, dict):
        diff = difference(before.get("id"), after.get("id"), field="prompt.id")
        found += [diff] if diff is not None else []
    if found:
        raise GetDisagreesWithPatch(summary("GET disagrees with the PATCH", found))
