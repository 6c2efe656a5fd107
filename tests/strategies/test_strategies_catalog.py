"""Every catalog variant is drawn within a bounded sample, and the catalog names nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from promptlog_contract.strategies import (
    CATALOG,
    DOCUMENTED_FIELDS,
    RAW_REQUESTS,
    invalid_update_bodies,
    invalid_variant,
    update_bodies,
    variants_of,
)
from promptlog_contract.strategies._invalid import Broken, broken_bodies
from promptlog_contract.strategies._json import json_values
from promptlog_contract.strategies._spots import location
from promptlog_contract.types import Label, RawRequest

_INVALID = "invalid_rule"
_VALID_VARIANTS = [
    (dimension, variant)
    for dimension, variants in CATALOG.items()
    if dimension not in (_INVALID, "invalid_kind", "raw")
    for variant in variants
]


def _ids(pair: tuple[str, str]) -> str:
    return f"{pair[0]}={pair[1]}"


# Generated samples are clumpy (Hypothesis mutates earlier test cases), so a
# variant missing from the shared sample gets its own derandomized search:
# still a bounded number of draws, and NoSuchExample fails the test.
_SEARCH = settings(
    max_examples=5_000,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("variant", _VALID_VARIANTS, ids=_ids)
def test_valid_variant_is_drawn(
    variant: tuple[str, str], valid_sample: list[dict[str, Any]]
) -> None:
    if not any(variant in variants_of(body) for body in valid_sample):
        find(update_bodies(), lambda body: variant in variants_of(body), settings=_SEARCH)


@pytest.mark.parametrize("family", CATALOG[_INVALID])
def test_invalid_family_is_drawn(family: str, broken_sample: list[Broken]) -> None:
    if not any(broken.family == family for broken in broken_sample):
        find(broken_bodies(), lambda broken: broken.family == family, settings=_SEARCH)


@pytest.mark.parametrize("name", CATALOG["raw"])
def test_raw_request_is_drawn(name: str, raw_sample: list[RawRequest]) -> None:
    assert any(raw.name == name for raw in raw_sample)


def test_variants_of_names_only_catalog_variants(valid_sample: list[dict[str, Any]]) -> None:
    known = {
        (dimension, variant) for dimension, variants in CATALOG.items() for variant in variants
    }
    for body in valid_sample:
        assert variants_of(body) <= known


def test_variants_of_reads_a_body() -> None:
    body = {
        "messages": [
            {
                "role": "developer",
                "content": [{"type": "image_url", "image_url": {"url": "u", "detail": "low"}}],
            },
            {"role": "assistant", "thinking": [], "tool_calls": None},
        ],
        "tool_choice": "required",
        "created_at": "2024-01-15T09:30:00.5+01:00",
        "prompt_tokens": -(2**40),
        "metadata": {},
        "output": "é",
    }
    assert variants_of(body) == {
        ("field", "messages"),
        ("field", "tool_choice"),
        ("field", "created_at"),
        ("field", "prompt_tokens"),
        ("field", "metadata"),
        ("field", "output"),
        ("role", "developer"),
        ("role", "assistant"),
        ("content", "parts"),
        ("content", "absent"),
        ("content_part", "image_url+detail"),
        ("thinking", "empty"),
        ("tool_calls", "null"),
        ("tool_choice", "required"),
        ("date_time", "offset"),
        ("date_time", "fraction"),
        ("integer", "negative"),
        ("integer", "large"),
        ("json_map", "empty"),
        ("string", "ascii"),
        ("string", "non_ascii"),
    }
    assert variants_of([]) == set()


def test_invalid_variant_names_the_family(broken_sample: list[Broken]) -> None:
    for broken in broken_sample:
        assert invalid_variant(broken.invalid.label) == (_INVALID, broken.family)


def test_invalid_variant_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="no invalid-body family"):
        invalid_variant(Label(("messages", 0, "colour"), "enum", "must-reject"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("messages", 2, "thinking", 0, "signature"), "message.thinking[].signature"),
        (("output_message", "role"), "message.role"),
        (("messages", 1), "message"),
        (("messages",), "messages"),
        (("tool_choice", "function", "name"), "tool_choice.function.name"),
    ],
)
def test_location_normalises_message_slots(path: tuple[Any, ...], expected: str) -> None:
    assert location(path) == expected


def test_catalog_is_consistent() -> None:
    assert CATALOG["field"] == DOCUMENTED_FIELDS
    assert CATALOG["raw"] == tuple(raw.name for raw in RAW_REQUESTS)
    for dimension, variants in CATALOG.items():
        assert len(set(variants)) == len(variants), dimension
    assert len(CATALOG[_INVALID]) >= 60
    with pytest.raises(TypeError):
        CATALOG["field"] = ()  # type: ignore[index]


_KNOWN = {(dimension, variant) for dimension, variants in CATALOG.items() for variant in variants}


@given(
    st.one_of(
        st.dictionaries(st.sampled_from(DOCUMENTED_FIELDS), json_values(max_depth=3)),
        invalid_update_bodies().map(lambda invalid: invalid.body),
        json_values(),
    )
)
def test_variants_of_never_raises_on_other_json(body: Any) -> None:
    assert variants_of(body) <= _KNOWN
