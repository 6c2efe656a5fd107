"""The registry: every rule, in the order reports list them, and the loop that runs them.

The order is written out rather than collected from import side effects, so
adding a rule is a visible, reviewable change to this one tuple.
"""

from __future__ import annotations

from promptlog_contract.types import Context, Exchange, NotApplicable, Violation

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
    response_size_bounded,
    status_code_documented,
    valid_body_accepted,
)

__all__ = [
    "CHECKS",
    "MAY_GO_UNJUDGED",
    "OWN_LOG_UNJUDGED",
    "Check",
    "Outcome",
    "check_names",
    "judge",
    "run_checks",
]

#: What one check made of one exchange: held (None), violated, or not applicable.
Outcome = Violation | NotApplicable | None

CHECKS: tuple[Check, ...] = (
    not_a_server_error,
    status_code_documented,
    content_type_json,
    response_size_bounded,
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


#: Rules a run may finish without judging, when the target lacks a capability (README):
#: rule -> (capability, why). Every other rule must judge an exchange, or the run is inconclusive.
MAY_GO_UNJUDGED: dict[str, tuple[str, str]] = {
    "get_agrees_with_patch": ("get", "the target has no GET /logs/{id} to read a log back"),
    "concurrent_patches_merge": ("get", "the target has no GET /logs/{id} to read a log back"),
    "other_logs_untouched": ("get", "the target has no GET /logs/{id} to read a log back"),
}
#: Rules a run on the user's own log (--prompt-id/--log-id) may finish without judging:
#: it creates no log, and only a log the run created can be promised untouched by others.
OWN_LOG_UNJUDGED: dict[str, str] = {
    "other_logs_untouched": "a run on your own log creates no sibling log to read back",
}


def judge(exchange: Exchange, ctx: Context) -> list[tuple[Check, Outcome]]:
    """Every check for the exchange's kind, with its outcome: None (held), a violation, or N/A.

    A check raises `NotApplicable` for a response it does not judge (a 429, a
    422 for the union rule): that is never a pass. Anything but a `Violation`
    or `NotApplicable` escaping a check is a bug in the check and propagates.
    """
    results: list[tuple[Check, Outcome]] = []
    for entry in CHECKS:
        if exchange.kind not in entry.kinds:
            continue
        try:
            entry.func(exchange, ctx)
        except (Violation, NotApplicable) as outcome:
            # A kept violation must not keep the check's frames alive through its traceback:
            # they hold the whole exchange, full response body included (memory stays bounded).
            outcome.__traceback__ = outcome.__context__ = None
            results.append((entry, outcome))
        else:
            results.append((entry, None))
    return results


def run_checks(exchange: Exchange, ctx: Context) -> list[tuple[Check, Violation | None]]:
    """The checks that judged the exchange: None marks a rule that held (N/A ones are left out)."""
    return [
        (entry, outcome)
        for entry, outcome in judge(exchange, ctx)
        if not isinstance(outcome, NotApplicable)
    ]
