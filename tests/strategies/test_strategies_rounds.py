"""Concurrent rounds: valid, non-empty bodies whose fields are pairwise disjoint."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import find, given
from hypothesis.errors import InvalidArgument

from promptlog_contract.contract import request_validator
from promptlog_contract.strategies import DOCUMENTED_FIELDS, concurrent_update_rounds


@given(concurrent_update_rounds(min_size=2, max_size=10))
def test_concurrent_update_rounds_matches_contract(round_: list[dict[str, Any]]) -> None:
    assert 2 <= len(round_) <= 10
    validator = request_validator()
    for body in round_:
        assert body and not list(validator.iter_errors(body)), body
        assert set(body) <= set(DOCUMENTED_FIELDS)
    fields = [field for body in round_ for field in body]
    assert len(fields) == len(set(fields)), "two PATCHes of a round share a field"


def test_concurrent_update_rounds_shrinks_to_single_fields() -> None:
    smallest = find(concurrent_update_rounds(), lambda r: True)
    # Which fields survive depends on how far Hypothesis shrinks the permutation.
    assert [len(body) for body in smallest] == [1, 1, 1, 1]


def test_concurrent_update_rounds_can_fill_every_field() -> None:
    full = find(concurrent_update_rounds(min_size=21, max_size=21), lambda r: True)
    assert sorted(f for body in full for f in body) == sorted(DOCUMENTED_FIELDS)


@pytest.mark.parametrize(
    "sizes", [{"min_size": 0}, {"max_size": 22}, {"min_size": 5, "max_size": 4}, {"min_size": -1}]
)
def test_concurrent_update_rounds_refuses_bad_sizes(sizes: dict[str, int]) -> None:
    with pytest.raises(InvalidArgument):
        concurrent_update_rounds(**sizes)
