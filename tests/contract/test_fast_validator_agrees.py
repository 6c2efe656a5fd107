"""The engine's fast validator (jsonschema-rs) must agree with `jsonschema` on every verdict.

The engine uses `contract.is_valid` on its hot path because it is far faster
(benchmarks/bench_engine.py); this corpus of valid bodies, drawn bodies and
one-spot mutations proves the switch changes no verdict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from promptlog_contract import contract, strategies

EXAMPLES = Path(__file__).parent / "examples"
MUTATIONS: list[tuple[str, Any]] = [
    ("start_time", "2024-01-15T09:30:00"),
    ("start_time", "141-12-29T01:28:27Z"),
    ("start_time", "2024-01-15t09:30:00z"),
    ("prompt_tokens", 1.5),
    ("prompt_tokens", True),
    ("prompt_tokens", "12"),
    ("evaluator_logs", None),
    ("prompt", None),
    ("tool_choice", "sometimes"),
    ("messages", [{"content": "no role"}]),
    ("output_message", {"role": "assistant", "thinking": [{"type": "thinking", "thinking": "x"}]}),
    ("unknown_extra_key", {"any": "thing"}),
]


def _examples() -> list[tuple[str, Any]]:
    out = []
    for path in sorted(EXAMPLES.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        out.append((path.stem, body))
    return out


@pytest.mark.parametrize(("name", "body"), _examples())
@pytest.mark.parametrize("field_value", [None, *MUTATIONS])
@pytest.mark.parametrize("schema", [*contract.UNION_MEMBERS, contract.UNION_SCHEMA])
def test_fast_validator_agrees_on_examples(
    name: str, body: Any, field_value: tuple[str, Any] | None, schema: str
) -> None:
    if field_value is not None and isinstance(body, dict):
        body = {**body, field_value[0]: field_value[1]}
    assert contract.is_valid(schema, body) == contract.validator(schema).is_valid(body), name


@settings(max_examples=150)
@given(strategies.update_bodies())
def test_fast_validator_agrees_on_valid_bodies(body: dict[str, Any]) -> None:
    assert contract.is_valid(contract.REQUEST_SCHEMA, body)
    assert contract.request_validator().is_valid(body)


@settings(max_examples=150)
@given(strategies.invalid_update_bodies())
def test_fast_validator_agrees_on_invalid_bodies(case: Any) -> None:
    fast = contract.is_valid(contract.REQUEST_SCHEMA, case.body)
    assert fast == contract.request_validator().is_valid(case.body)
    assert not fast
