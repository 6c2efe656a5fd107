"""Rounds of concurrent PATCHes: valid bodies whose fields are pairwise disjoint.

A server may apply PATCHes sent at the same time in any order, so only a
round whose bodies share no field has one correct outcome: every field sent
reads back. Those are the rounds `concurrent_patches_merge` judges.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ._bodies import DOCUMENTED_FIELDS, FIELD_STRATEGIES
from ._json import check_argument, check_count

#: Most PATCHes a round can hold: each needs a field of its own.
MAX_ROUND_SIZE = len(DOCUMENTED_FIELDS)


def concurrent_update_rounds(
    *, min_size: int = 4, max_size: int = 8
) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Generate rounds of `min_size` to `max_size` non-empty valid bodies with disjoint fields.

    Each body holds one or two documented fields no other body of the round
    holds, with values drawn as `update_bodies()` draws them. Sizes outside
    1..21 or `min_size > max_size` raise InvalidArgument. Shrinks towards
    `min_size` one-field bodies, then towards simpler values.
    """
    check_count("min_size", min_size)
    check_count("max_size", max_size)
    check_argument(
        1 <= min_size <= max_size <= MAX_ROUND_SIZE,
        f"need 1 <= min_size <= max_size <= {MAX_ROUND_SIZE}, got {min_size}..{max_size}",
    )
    return _rounds(min_size, max_size)


@st.composite
def _rounds(draw: st.DrawFn, min_size: int, max_size: int) -> list[dict[str, Any]]:
    size = draw(st.integers(min_size, max_size))
    fields = draw(st.permutations(DOCUMENTED_FIELDS))
    # A second field for some bodies, while enough fields remain for the others.
    spare = len(fields) - size
    doubled = draw(st.integers(0, min(spare, size)))
    round_: list[dict[str, Any]] = []
    taken = 0
    for index in range(size):
        width = 2 if index < doubled else 1
        names = fields[taken : taken + width]
        taken += width
        round_.append({name: draw(FIELD_STRATEGIES[name]) for name in names})
    return round_
