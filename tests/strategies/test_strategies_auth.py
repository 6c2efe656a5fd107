"""Near-miss keys are each one small bend of the real key, and never show it."""

from __future__ import annotations

import pytest
from hypothesis.errors import InvalidArgument

from promptlog_contract.strategies import NEAR_MISS_VARIANTS, near_miss_keys

KEY = "pl-Secret-Key-0123456789"


def test_near_miss_keys_bend_the_key_one_way_each() -> None:
    variants = {variant.name: variant.value for variant in near_miss_keys(KEY)}
    raw = KEY.encode()
    assert tuple(variants) == NEAR_MISS_VARIANTS
    assert variants["case_flipped"] == KEY.swapcase().encode()
    assert variants["whitespace"].strip(b"\xa0") == raw != variants["whitespace"]
    assert variants["appended"][:-1] == raw and len(variants["appended"]) == len(raw) + 1
    assert variants["truncated"] == raw[:-1]
    assert variants["prefix"] == raw[:8]
    assert raw not in variants.values()
    # A loose server's str.strip() removes the no-break spaces (header bytes read as latin-1).
    assert variants["whitespace"].decode("latin-1").strip() == KEY


def test_near_miss_keys_never_show_the_key() -> None:
    shown = repr(near_miss_keys(KEY))
    assert "Secret" not in shown and "sECRET" not in shown and "pl-Secr" not in shown


def test_near_miss_keys_skip_variants_that_are_no_miss() -> None:
    names = [variant.name for variant in near_miss_keys("12345678")]
    assert names == ["whitespace", "appended", "truncated"]  # no letters; prefix == key
    values = [variant.value for variant in near_miss_keys("a")]
    assert b"a" not in values and b"" not in values


def test_near_miss_keys_refuse_an_empty_key() -> None:
    with pytest.raises(InvalidArgument):
        near_miss_keys("")
