"""Invalid bodies break the contract exactly once, at the labelled slot, under the labelled rule."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis.errors import InvalidArgument
from jsonschema.exceptions import ValidationError, best_match

from promptlog_contract.contract import request_validator
from promptlog_contract.strategies import (
    CATALOG,
    RULES,
    bad_value_sweep,
    invalid_update_bodies,
    invalid_variant,
)
from promptlog_contract.strategies._invalid import Broken, broken_bodies
from promptlog_contract.strategies._spots import ABSENT, deleted, replaced
from promptlog_contract.types import InvalidBody, JSONPath

_MANY = settings(
    max_examples=10 * settings().max_examples,
    suppress_health_check=[HealthCheck.too_slow],
)


def _related(error_path: JSONPath, label_path: JSONPath) -> bool:
    """Unions report at their own path, missing keys at the parent: one path prefixes the other."""
    shorter = min(len(error_path), len(label_path))
    return error_path[:shorter] == label_path[:shorter]


def _path(error: ValidationError) -> JSONPath:
    return tuple(error.absolute_path)


def _repaired(broken: Broken) -> Any:
    body, path = broken.invalid.body, broken.invalid.label.path
    if broken.original is ABSENT:
        return deleted(body, path)
    return replaced(body, path, broken.original)


def _check_invalid(invalid: InvalidBody) -> None:
    errors = list(request_validator().iter_errors(invalid.body))
    label = invalid.label
    assert errors, f"{label} but the body validates"
    unrelated = [(_path(e), e.message) for e in errors if not _related(_path(e), label.path)]
    assert unrelated == [], f"{label}: errors elsewhere"
    # best_match descends into oneOf branches, so for a broken key of a union
    # member it may name a sibling key of another branch: it must stay inside
    # the object that holds the broken slot.
    best = best_match(errors)
    assert _related(_path(best), label.path[:-1]), (label, _path(best), best.message)
    assert label.rule in RULES
    assert label.severity in ("must-reject", "lax-coercible")
    assert label.path, "the whole body is never the broken slot"
    json.dumps(invalid.body, allow_nan=False)


@_MANY
@given(broken_bodies())
def test_invalid_update_bodies_matches_contract(broken: Broken) -> None:
    _check_invalid(broken.invalid)
    # Putting the replaced value back (or removing an added key) must make the
    # body valid: proof that nothing but the labelled slot was broken.
    repaired = _repaired(broken)
    assert [e.message for e in request_validator().iter_errors(repaired)] == []
    assert invalid_variant(broken.invalid.label) == ("invalid_rule", broken.family)


@given(invalid_update_bodies())
def test_public_invalid_update_bodies_are_invalid(invalid: InvalidBody) -> None:
    _check_invalid(invalid)
    assert invalid_variant(invalid.label)[1] in CATALOG["invalid_rule"]


@given(invalid_update_bodies(rules=["enum", "message.role.required"], severities=["must-reject"]))
def test_invalid_update_bodies_keeps_to_rules_and_severities(invalid: InvalidBody) -> None:
    assert invalid.label.severity == "must-reject"
    family = invalid_variant(invalid.label)[1]
    assert invalid.label.rule == "enum" or family == "message.role.required"


@given(invalid_update_bodies(severities=["lax-coercible"]))
def test_lax_selection_holds_only_lax_values(invalid: InvalidBody) -> None:
    assert invalid.label.severity == "lax-coercible"
    assert invalid.label.rule in ("type", "format")


def test_invalid_update_bodies_shrinks_to_a_small_body() -> None:
    smallest = find(invalid_update_bodies(), lambda invalid: True)
    assert smallest.body == {"prompt_tokens": "abc"}
    assert smallest.label.to_dict() == {
        "path": ["prompt_tokens"],
        "rule": "type",
        "severity": "must-reject",
    }


def test_required_family_deletes_the_key() -> None:
    found = find(
        invalid_update_bodies(rules=["message.thinking[].signature.required"]),
        lambda invalid: invalid.label.path[0] == "messages",
    )
    path = found.label.path
    assert path[-1] == "signature" and path[:2] == ("messages", 0)
    block = found.body["messages"][0]["thinking"][path[3]]
    assert block["type"] == "thinking" and "signature" not in block


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rules": ["nope"]},
        {"rules": ["message.role.wrong"]},
        {"rules": "enum"},
        {"rules": []},
        {"severities": ["maybe"]},
        {"severities": []},
        {"severities": "must-reject"},
        {"rules": ["required"], "severities": ["lax-coercible"]},
    ],
    ids=lambda kwargs: repr(kwargs),
)
def test_bad_arguments_raise_invalid_argument(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument):
        invalid_update_bodies(**kwargs)


@pytest.mark.parametrize("invalid", bad_value_sweep(), ids=lambda i: f"{i.label.kind}")
def test_bad_value_sweep_matches_contract(invalid: InvalidBody) -> None:
    _check_invalid(invalid)
