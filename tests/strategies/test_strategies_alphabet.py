"""The string alphabet: every UTF-8-encodable character but NUL, drawn without a codec table."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from promptlog_contract.strategies._json import _ALPHABET, nonempty_strings


@settings(max_examples=2000)
@given(_ALPHABET)
def test_alphabet_excludes_surrogates_and_nul(char: str) -> None:
    assert char != "\x00"
    assert unicodedata.category(char) != "Cs"
    char.encode("utf-8")  # a surrogate would raise here


@given(nonempty_strings)
def test_strings_encode_as_utf8(text: str) -> None:
    assert "\x00" not in text
    text.encode("utf-8")


_KINDS: dict[str, Callable[[str], bool]] = {
    "astral": lambda c: ord(c) > 0xFFFF,
    "control": lambda c: unicodedata.category(c) == "Cc",
    "unassigned": lambda c: unicodedata.category(c) == "Cn",
    "private use": lambda c: unicodedata.category(c) == "Co",
}


@pytest.mark.parametrize("kind", sorted(_KINDS))
def test_alphabet_still_reaches_the_whole_range(kind: str) -> None:
    # The same characters as codec="utf-8": only Cs and NUL are left out.
    wanted = _KINDS[kind]
    found = find(st.lists(_ALPHABET, max_size=200), lambda chars: any(map(wanted, chars)))
    assert any(map(wanted, found))
