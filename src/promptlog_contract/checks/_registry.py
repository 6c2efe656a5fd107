"""The registry: every rule, in the order reports list them, and the loop that runs them.

The order is written out rather than collected from import side effects, so
adding a rule is a visible, reviewable change to this one tuple.
"""

from __future__ import annotations

from promptlog_contract.types import Context, Exchange, Violation

from ._check import Check
from ._isolation import concurrent_patches_merge, other_logs_untouched
from ._schema import (
    prompt_log_returned,
    response_matches_union,
    validation_error_locates_field,
    validation_error_shape,
)
from ._security import auth_enforced, no_secret_echoed, unknown_log_not_found
from ._semantics import (
    get_agrees_with_patch,
    omitted_fields_unchanged,
    patched_fields_applied,
    repeat_is_stable,
)
from ._status import (
    content_type_json,
    invalid_body_rejected,
    not_a_server_error,
    status_code_documented,
    valid_body_accepted,
)

__all__ = ["CHECKS", "Check", "check_names", "run_checks"]

CHECKS: tuple[Check, ...] = (
    not_a_server_error,
    status_code_documented,
    content_type_json,
    response_matches_union,
    prompt_log_returned,
    valid_body_accepted,
    invalid_body_rejected,
    validation_error_shape,
    validation_error_locates_field,
    patched_fields_applied,
    omitted_fields_unchanged,
    repeat_is_stable,
    get_agrees_with_patch,
    concurrent_patches_merge,
    other_logs_untouched,
    unknown_log_not_found,
    auth_enforced,
    no_secret_echoed,
)


def check_names() -> list[str]:
    """The rule ids, in registry order."""
    return [entry.name for entry in CHECKS]


def run_checks(exchange: Exchange, ctx: Context) -> list[tuple[Check, Violation | None]]:
    """Run every check that applies to the exchange's kind; None marks a rule that held.

    A check that does not concern this particular response returns quietly and
    counts as held. Anything but a `Violation` escaping a check is a bug in the
    check and propagates.
    """
    results: list[tuple[Check, Violation | None]] = []
    for entry in CHECKS:
        if exchange.kind not in entry.kinds:
            continue
        try:
            entry.func(exchange, ctx)
        except Violation as violation:
            results.append((entry, violation))
        else:
            results.append((entry, None))
    return results
