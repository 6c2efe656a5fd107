"""Isolation rules: concurrent_patches_merge and other_logs_untouched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from promptlog_contract.checks import ConcurrentUpdateLost, NotApplicable, SiblingLogChanged
from promptlog_contract.checks._isolation import concurrent_patches_merge, other_logs_untouched

from ._factory import CTX, STRICT, exchange, prompt_log

#: One concurrent round: PATCHes of disjoint fields of one log.
ROUND: tuple[Mapping[str, Any], ...] = (
    {"output": "o"},
    {"prompt_tokens": 3, "output_tokens": 4},
    {"created_at": "2025-05-02T10:00:00+02:00"},
    {"metadata": {"m": [1, {"n": None}]}},
    {"tool_choice": {"type": "function", "function": {"name": "f"}}},
)
#: What a faithful server reads back after the round, normalised as it may be.
MERGED = prompt_log(
    output="o",
    prompt_tokens=3.0,
    output_tokens=4,
    created_at="2025-05-02T08:00:00Z",
    metadata={"m": [1, {"n": None}]},
    tool_choice={"type": "function", "function": {"name": "f"}},
    source="untouched",
)


def test_concurrent_patches_merge_holds() -> None:
    concurrent_patches_merge(exchange("concurrent_get", body=MERGED, concurrent=ROUND), CTX)


def test_concurrent_patches_merge_holds_in_any_order_for_a_shared_field() -> None:
    shared = ({"output": "first"}, {"output": "second"}, {"error": "e"})
    for winner in ("first", "second"):
        body = prompt_log(output=winner, error="e")
        concurrent_patches_merge(exchange("concurrent_get", body=body, concurrent=shared), STRICT)


@pytest.mark.parametrize("lost", ["output", "output_tokens", "created_at", "metadata"])
def test_concurrent_patches_merge_catches_lost_update(lost: str) -> None:
    stale = {**MERGED, lost: None}
    with pytest.raises(ConcurrentUpdateLost, match=f"{len(ROUND)} concurrent PATCHes") as caught:
        concurrent_patches_merge(exchange("concurrent_get", body=stale, concurrent=ROUND), CTX)
    assert lost in caught.value.message and caught.value.level == "failure"


def test_concurrent_patches_merge_catches_every_value_of_a_shared_field_lost() -> None:
    shared = ({"output": "first"}, {"output": "second"})
    with pytest.raises(ConcurrentUpdateLost, match="output"):
        concurrent_patches_merge(
            exchange("concurrent_get", body=prompt_log(output="a"), concurrent=shared), CTX
        )


def test_concurrent_patches_merge_does_not_apply_without_a_round_or_a_log() -> None:
    stale = prompt_log()
    for case in (
        exchange("concurrent_get", body=stale, concurrent=None),
        exchange("concurrent_get", body=stale, concurrent=()),
        exchange("concurrent_get", status=404, body={}, concurrent=ROUND),
    ):
        with pytest.raises(NotApplicable):
            concurrent_patches_merge(case, CTX)


@pytest.mark.parametrize("lost", ["output", "metadata", "created_at"])
def test_concurrent_patches_merge_does_not_apply_when_the_sequential_control_loses_too(
    lost: str,
) -> None:
    # A server that drops (or shows stale) a field sent one by one: not a concurrency bug.
    stale = {**MERGED, "output": None}
    control = {**MERGED, lost: None}
    with pytest.raises(NotApplicable, match="without concurrency too"):
        concurrent_patches_merge(
            exchange("concurrent_get", body=stale, concurrent=ROUND, control=control), CTX
        )


@pytest.mark.parametrize("lost", ["output", "output_tokens", "created_at", "metadata"])
def test_concurrent_patches_merge_catches_lost_update_when_the_control_is_clean(
    lost: str,
) -> None:
    stale = {**MERGED, lost: None}
    # The control may normalise as the target does; only a lost field excuses the round.
    clean = {**MERGED, "prompt_tokens": 3, "created_at": "2025-05-02T10:00:00+02:00"}
    with pytest.raises(ConcurrentUpdateLost, match=lost) as caught:
        concurrent_patches_merge(
            exchange("concurrent_get", body=stale, concurrent=ROUND, control=clean), CTX
        )
    assert caught.value.level == "failure"
    # Which fields a race loses is timing: the finding has no location to split it by.
    assert caught.value.paths == ()


def test_concurrent_patches_merge_ignores_control_fields_the_round_never_sent() -> None:
    # Only what the round sent is compared: a control that differs elsewhere is clean.
    control = {**MERGED, "error": "other", "source": None}
    concurrent_patches_merge(
        exchange("concurrent_get", body=MERGED, concurrent=ROUND, control=control), CTX
    )


SIBLING = prompt_log(id="log_2", output="a", prompt_tokens=7, metadata={"k": "v"})


def test_other_logs_untouched_holds() -> None:
    later = {**SIBLING, "prompt_tokens": 7.0, "evaluator_logs": [{"id": "ev_log"}]}
    later["prompt"] = {
        **SIBLING["prompt"],
        "total_logs_count": 9,
        "updated_at": "2026-01-01T00:00:00Z",
    }
    other_logs_untouched(exchange("sibling_get", body=later, before=SIBLING), STRICT)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"output": "mine"}, "output"),
        ({"prompt_tokens": 9}, "prompt_tokens"),
        ({"metadata": {"k": "v", "leaked": 1}}, "metadata"),
        ({"error": "e"}, "error"),
        ({"id": "log_1"}, "id"),
    ],
)
def test_other_logs_untouched_catches_leak_to_siblings(change: dict[str, Any], where: str) -> None:
    with pytest.raises(SiblingLogChanged, match=where) as caught:
        other_logs_untouched(
            exchange("sibling_get", body={**SIBLING, **change}, before=SIBLING), CTX
        )
    assert caught.value.level == "failure"


def test_other_logs_untouched_does_not_apply_without_a_before_state() -> None:
    with pytest.raises(NotApplicable):
        other_logs_untouched(exchange("sibling_get", body=prompt_log(output="x"), before=None), CTX)
