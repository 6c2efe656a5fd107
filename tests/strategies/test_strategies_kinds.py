"""The bad-value sweep: one contract-invalid body per (family, kind), labelled as pydantic does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from promptlog_contract.contract import request_validator
from promptlog_contract.strategies import (
    CATALOG,
    bad_value_kind,
    bad_value_kinds,
    bad_value_sweep,
    invalid_kind_variant,
    invalid_update_bodies,
    invalid_variant,
)
from promptlog_contract.strategies._invalid import Broken
from promptlog_contract.strategies._kinds import CARRIER
from promptlog_contract.strategies._spots import ABSENT, value_at
from promptlog_contract.types import InvalidBody, Label

SWEEP = bad_value_sweep()
_IDS = [f"{invalid_variant(i.label)[1]}:{i.label.kind}" for i in SWEEP]


def test_every_family_has_kinds_and_every_pair_one_body() -> None:
    kinds = bad_value_kinds()
    assert tuple(kinds) == CATALOG["invalid_rule"]
    assert all(kinds.values()), [family for family, found in kinds.items() if not found]
    pairs = [(family, kind) for family, found in kinds.items() for kind in found]
    assert len(SWEEP) == len(pairs) == len(set(pairs)) >= 250
    assert CATALOG["invalid_kind"] == tuple(f"{family}:{kind}" for family, kind in pairs)
    assert list(CATALOG["invalid_kind"]) == _IDS


def test_carrier_is_contract_valid() -> None:
    assert not list(request_validator().iter_errors(dict(CARRIER)))


# Contract-invalid at the labelled slot only: test_strategies_invalid; severities against
# pydantic: test_strategies_severity (both parametrized over every pair of the sweep).


@pytest.mark.parametrize("invalid", SWEEP, ids=_IDS)
def test_bad_value_sweep_names_its_variant(invalid: InvalidBody) -> None:
    family, variant = invalid_variant(invalid.label)[1], invalid_kind_variant(invalid.label)
    assert variant == ("invalid_kind", f"{family}:{invalid.label.kind}")
    assert invalid.label.kind in bad_value_kinds()[family]


@pytest.mark.parametrize(
    ("family", "kind", "value", "severity"),
    [
        ("prompt_tokens.type", "fractional", 1.5, "must-reject"),
        ("output_tokens.type", "numeric_string", "12", "lax-coercible"),
        ("reasoning_tokens.type", "boolean", True, "lax-coercible"),
        ("prompt_cost.type", "numeric_string", "1.5", "lax-coercible"),
        ("output.type", "number", 5, "lax-coercible"),
        ("created_at.format", "naive", "2024-01-15T09:30:00", "lax-coercible"),
        ("created_at.format", "impossible_date", "2024-02-30T10:00:00Z", "must-reject"),
        ("message.role.enum", "wrong_case", "Assistant", "must-reject"),
        ("tool_choice.enum", "wrong_case", "None", "must-reject"),
        ("message.content[].type.discriminator", "other_member", "image_url", "must-reject"),
        ("message.thinking[].signature.type", "null", None, "must-reject"),
        ("message.thinking[].signature.required", "missing", ABSENT, "must-reject"),
        ("metadata.type", "list", [1], "must-reject"),
    ],
)
def test_bad_value_sweep_holds_the_documented_value(
    family: str, kind: str, value: Any, severity: str
) -> None:
    (invalid,) = bad_value_sweep(families=[family], kinds=[kind])
    assert value_at(invalid.body, invalid.label.path) == value
    assert type(value_at(invalid.body, invalid.label.path)) is type(value)
    assert (invalid.label.kind, invalid.label.severity) == (kind, severity)


def test_contract_accepted_values_are_not_kinds() -> None:
    # A26: 1.0, an integer beyond 64 bits and a negative count are valid, never a bad kind.
    validator = request_validator()
    for value in (1.0, 2**70, -3):
        assert not list(validator.iter_errors({"prompt_tokens": value}))
    assert {"integral_float", "huge", "negative"}.isdisjoint(
        bad_value_kinds()["prompt_tokens.type"]
    )


def test_bad_value_sweep_is_deterministic_and_unshared() -> None:
    again = bad_value_sweep()
    assert [json.dumps(i.body, sort_keys=True) for i in again] == [
        json.dumps(i.body, sort_keys=True) for i in SWEEP
    ]
    assert [i.label for i in again] == [i.label for i in SWEEP]
    bodies = [id(i.body["messages"]) for i in SWEEP if "messages" in i.body]
    assert len(bodies) == len(set(bodies)), "bodies share mutable parts"


def test_bad_value_sweep_selects_by_family_rule_and_kind() -> None:
    fractional = bad_value_sweep(kinds=["fractional"])
    assert [i.label.path for i in fractional] == [
        ("prompt_tokens",),
        ("reasoning_tokens",),
        ("output_tokens",),
    ]
    assert {i.label.kind for i in bad_value_sweep(families=["required"])} == {"missing"}
    assert len(bad_value_sweep(families=["message.role.enum"])) == 3


@pytest.mark.parametrize(
    "arguments",
    [
        {"families": ["no.such"]},
        {"kinds": ["no_such_kind"]},
        {"families": "prompt_tokens.type"},
        {"kinds": "fractional"},
        {"families": ["required"], "kinds": ["fractional"]},
    ],
)
def test_bad_value_sweep_refuses_bad_selections(arguments: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        bad_value_sweep(**arguments)


@settings(max_examples=20)
@given(invalid_update_bodies(rules=["prompt_tokens.type"], kinds=["fractional", "boolean"]))
def test_invalid_update_bodies_draws_kinds_from_the_sweep(invalid: InvalidBody) -> None:
    assert invalid in bad_value_sweep(families=["prompt_tokens.type"])
    assert invalid.label.kind in ("fractional", "boolean")


def test_invalid_update_bodies_refuses_an_empty_kind_selection() -> None:
    with pytest.raises(InvalidArgument):
        invalid_update_bodies(kinds=["fractional"], severities=["lax-coercible"])


def test_invalid_kind_variant_needs_a_kind_and_a_known_pair() -> None:
    assert invalid_kind_variant(Label(("prompt_tokens",), "type", "must-reject")) is None
    with pytest.raises(ValueError, match="no bad-value kind"):
        invalid_kind_variant(Label(("prompt_tokens",), "type", "must-reject", "missing"))


def test_label_kind_round_trips_and_stays_optional() -> None:
    (invalid,) = bad_value_sweep(families=["prompt_tokens.type"], kinds=["fractional"])
    assert invalid.label.to_dict()["kind"] == "fractional"
    assert Label.from_dict(invalid.label.to_dict()) == invalid.label
    plain = Label(("output",), "type", "must-reject")
    assert "kind" not in plain.to_dict() and Label.from_dict(plain.to_dict()) == plain


def _severities() -> dict[tuple[str, str | None], str]:
    return {(invalid_variant(i.label)[1], i.label.kind): i.label.severity for i in SWEEP}


@pytest.mark.parametrize("invalid", SWEEP, ids=_IDS)
def test_bad_value_kind_reads_the_sweep_back(invalid: InvalidBody) -> None:
    plain = Label(invalid.label.path, invalid.label.rule, invalid.label.severity)
    assert bad_value_kind(InvalidBody(invalid.body, plain)) == invalid.label.kind
    assert bad_value_kind(invalid) == invalid.label.kind


def test_drawn_bodies_fall_in_a_known_pair_of_the_same_severity(
    broken_sample: list[Broken],
) -> None:
    severities = _severities()
    for broken in broken_sample:
        invalid = broken.invalid
        kind = bad_value_kind(invalid)
        assert severities.get((broken.family, kind)) == invalid.label.severity, (
            broken.family,
            kind,
            invalid.label,
        )
        assert invalid_kind_variant(invalid) == ("invalid_kind", f"{broken.family}:{kind}")
    assert len({(b.family, bad_value_kind(b.invalid)) for b in broken_sample}) >= 150


def test_bad_value_kind_refuses_a_label_no_family_makes() -> None:
    with pytest.raises(ValueError, match="no invalid-body family"):
        bad_value_kind(InvalidBody({"x": 1}, Label(("x",), "type", "must-reject")))
