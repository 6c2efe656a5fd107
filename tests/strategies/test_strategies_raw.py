"""Raw requests: stable names, and each one is the malformation its name promises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import find

from promptlog_contract.strategies import RAW_REQUESTS, raw_requests

_BY_NAME = {raw.name: raw for raw in RAW_REQUESTS}


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json(content: bytes) -> Any:
    return json.loads(content.decode("utf-8"), parse_constant=_no_constants)


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, dict) and value:
        value = next(iter(value.values()))
        depth += 1
    return depth


def test_names_are_stable() -> None:
    assert list(_BY_NAME) == [
        "empty_body",
        "malformed_json",
        "json_array",
        "json_string",
        "json_number",
        "json_null",
        "text_plain",
        "no_content_type",
        "deeply_nested",
        "large_body",
        "nan_literal",
        "number_overflow",
        "invalid_utf8",
    ]


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("empty_body", {200, 422}),
        ("malformed_json", {400, 422}),
        ("json_array", {400, 422}),
        ("json_null", {400, 422}),
        ("text_plain", {200, 415, 422}),
        ("no_content_type", {200, 415, 422}),
        ("deeply_nested", {200, 400, 413, 422}),
        ("large_body", {200, 413}),
        ("nan_literal", {400, 422}),
        ("number_overflow", {400, 422}),
    ],
)
def test_expected_statuses(name: str, statuses: set[int]) -> None:
    assert _BY_NAME[name].expected_statuses == statuses


def test_contents_are_what_the_names_say() -> None:
    raw = _BY_NAME
    assert raw["empty_body"].content == b"" and raw["empty_body"].content_type == "application/json"
    with pytest.raises(ValueError):
        _strict_json(raw["malformed_json"].content)
    assert isinstance(_strict_json(raw["json_array"].content), list)
    assert isinstance(_strict_json(raw["json_string"].content), str)
    assert isinstance(_strict_json(raw["json_number"].content), int)
    assert _strict_json(raw["json_null"].content) is None
    assert raw["text_plain"].content_type == "text/plain"
    assert isinstance(_strict_json(raw["text_plain"].content), dict)
    assert raw["no_content_type"].content_type is None
    assert isinstance(_strict_json(raw["no_content_type"].content), dict)
    assert raw["deeply_nested"].content.count(b"{") == 5_001
    assert len(raw["large_body"].content) >= 2 * 1024 * 1024
    assert isinstance(_strict_json(raw["large_body"].content)["output"], str)
    with pytest.raises(ValueError):
        _strict_json(raw["nan_literal"].content)
    assert json.loads(raw["number_overflow"].content)["prompt_cost"] == float("inf")
    with pytest.raises(UnicodeDecodeError):
        raw["invalid_utf8"].content.decode("utf-8")


def test_deeply_nested_is_5000_levels() -> None:
    nested = _BY_NAME["deeply_nested"].content
    assert nested.startswith(b'{"metadata": {"a": {"a": ')
    opening = nested.count(b'{"a": ')
    assert opening == 5_000 and nested.count(b"}") == 5_001


def test_raw_requests_samples_the_list() -> None:
    assert find(raw_requests(), lambda raw: True) == RAW_REQUESTS[0]
    assert find(raw_requests(), lambda raw: raw.name == "large_body") is _BY_NAME["large_body"]
