"""Semantic equality: what a faithful server may change on the way back, and what it may not."""

from __future__ import annotations

from typing import Any

import pytest

from promptlog_contract.checks import difference, semantically_equal
from promptlog_contract.checks._compare import parse_instant_ns


@pytest.mark.parametrize(
    ("sent", "got"),
    [
        ("2025-05-02T10:00:00+02:00", "2025-05-02T08:00:00Z"),
        ("2025-05-02T08:00:00.123456789Z", "2025-05-02T08:00:00.123456Z"),
        ("2025-05-02T08:00:00.1234567Z", "2025-05-02T08:00:00.123457+00:00"),
        ("2025-05-02T08:00:00Z", "2025-05-02T08:00:00"),
        ("2025-05-02t08:00:00.5z", "2025-05-02T08:00:00.500000Z"),
    ],
)
def test_date_times_compare_as_instants(sent: str, got: str) -> None:
    assert semantically_equal(sent, got, field="created_at")


@pytest.mark.parametrize(
    ("sent", "got"),
    [
        ("2025-05-02T08:00:00.123456Z", "2025-05-02T08:00:00.123455Z"),
        ("2025-05-02T10:00:00+02:00", "2025-05-02T10:00:00Z"),
        ("2025-05-02T08:00:00Z", "yesterday"),
        ("2025-05-02T08:00:00Z", None),
    ],
)
def test_date_times_that_differ_are_caught(sent: str, got: Any) -> None:
    assert not semantically_equal(sent, got, field="start_time")


def test_date_time_strings_compare_exactly_outside_date_time_fields() -> None:
    assert not semantically_equal(
        "2025-05-02T08:00:00Z", "2025-05-02T08:00:00+00:00", field="output"
    )


def test_parse_instant_rejects_impossible_dates() -> None:
    assert parse_instant_ns("2025-02-30T00:00:00Z") is None
    assert parse_instant_ns("1970-01-01T00:00:01.5Z") == 1_500_000_000


def test_integer_equals_same_float() -> None:
    assert semantically_equal(1, 1.0, field="prompt_tokens")
    assert semantically_equal(0.1 + 0.2, 0.3, field="prompt_cost")


def test_different_numbers_are_caught() -> None:
    assert not semantically_equal(1, 2, field="prompt_tokens")
    assert not semantically_equal(0.001, 0.0011, field="prompt_cost")
    assert not semantically_equal(10**400, 1e308, field="prompt_tokens")


def test_true_is_not_one() -> None:
    assert not semantically_equal(True, 1)
    assert not semantically_equal(1, True)
    assert semantically_equal(True, True)


def test_number_is_not_its_string() -> None:
    assert not semantically_equal(12, "12", field="prompt_tokens")


def test_free_form_map_with_extra_key_is_caught() -> None:
    assert semantically_equal({"k": "v"}, {"k": "v"}, field="metadata")
    found = difference({"k": "v"}, {"k": "v", "extra": None}, field="metadata")
    assert found is not None and "extra" in found


def test_free_form_map_missing_null_key_is_caught() -> None:
    assert not semantically_equal({"k": None}, {}, field="inputs")


def test_free_form_nested_maps_are_exact_too() -> None:
    assert not semantically_equal(
        {"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, field="provider_request"
    )


def test_reordered_thinking_blocks_are_caught() -> None:
    first = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
    second = {"type": "redacted_thinking", "data": "xyz"}
    sent = {"role": "assistant", "thinking": [first, second]}
    got = {"role": "assistant", "thinking": [second, first]}
    found = difference(sent, got, field="output_message")
    assert found is not None and found.startswith("output_message/thinking/0")


def test_invented_non_null_key_in_a_message_is_caught() -> None:
    sent = [{"role": "user", "content": "hi"}]
    assert not semantically_equal(
        sent, [{"role": "user", "content": "hi", "name": "x"}], field="messages"
    )


def test_null_keys_added_to_a_message_are_fine() -> None:
    sent = [{"role": "user", "content": "hi"}]
    got = [{"role": "user", "content": "hi", "name": None, "tool_calls": None}]
    assert semantically_equal(sent, got, field="messages")


def test_sent_null_matches_absent_or_null() -> None:
    assert semantically_equal(None, None, field="output")
    assert not semantically_equal(None, "", field="output")


def test_list_length_difference_is_caught() -> None:
    found = difference([{"role": "user"}], [], field="messages")
    assert found == "messages: expected 1 items, got 0"


def test_message_is_short_for_long_values() -> None:
    found = difference("x" * 1000, "y" * 1000, field="output")
    assert found is not None and len(found) < 300
