"""JSON scalars, free-form maps and RFC 3339 date-times: the leaves every body is built from.

Kept apart from the message and body modules so the invalid-body module can
reuse the same leaves (and the same argument checks) when it builds a broken
value beside a valid one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

#: Signed 64-bit bounds: the widest integer a database column is likely to hold.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# No surrogates (not encodable as UTF-8) and no NUL: whether a real database
# stores "\x00" is an open question, so valid bodies leave it out. Excluding
# category Cs draws the same characters as codec="utf-8" without the table
# Hypothesis builds over every code point for a codec (+200 MiB, 1.3 s CPU).
_ALPHABET = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")

#: Unicode strings (no surrogates, no NUL), short so a run can send many.
strings: st.SearchStrategy[str] = st.text(_ALPHABET, max_size=24)
nonempty_strings: st.SearchStrategy[str] = st.text(_ALPHABET, min_size=1, max_size=24)
#: Integers across the signed 64-bit range; Hypothesis favours 0 and the bounds.
integers: st.SearchStrategy[int] = st.integers(min_value=INT64_MIN, max_value=INT64_MAX)
#: Finite floats (never NaN or infinity, which JSON cannot carry).
finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False, allow_infinity=False)
#: JSON numbers: integers or finite floats, shrinking towards 0.
numbers: st.SearchStrategy[int | float] = st.one_of(integers, finite_floats)

_JSON_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), integers, finite_floats, strings
)


def check_argument(condition: bool, message: str) -> None:
    """Raise InvalidArgument with `message` unless `condition` holds."""
    if not condition:
        raise InvalidArgument(message)


def check_count(name: str, value: object) -> None:
    """A non-negative int (not a bool), else InvalidArgument."""
    check_argument(
        isinstance(value, int) and not isinstance(value, bool) and value >= 0,
        f"{name}={value!r} must be a non-negative integer",
    )


def json_values(*, max_size: int = 3, max_depth: int = 2) -> st.SearchStrategy[Any]:
    """Generate any JSON value: null, booleans, integers, finite floats, strings, lists, objects.

    `max_size` bounds each list and object; `max_depth` bounds how many lists
    or objects may nest inside each other (0: scalars only). Shrinks towards
    `None`, then towards flatter and shorter values.
    """
    check_count("max_size", max_size)
    check_count("max_depth", max_depth)
    return _json_values(max_size, max_depth)


@cache
def _json_values(max_size: int, max_depth: int) -> st.SearchStrategy[Any]:
    # An explicit tower rather than st.recursive: it bounds the depth exactly,
    # and draws 2-3 times faster (st.recursive re-checks its leaf budget on
    # every draw), which matters when a run sends thousands of bodies.
    values = _JSON_SCALARS
    for _ in range(max_depth):
        values = st.one_of(
            _JSON_SCALARS,
            st.lists(values, max_size=max_size),
            st.dictionaries(strings, values, max_size=max_size),
        )
    return values


def json_maps(*, max_size: int = 3, max_depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Generate free-form JSON objects (string keys, any JSON values, nested).

    Used for `inputs`, `metadata`, `provider_request` and `provider_response`.
    `max_size` bounds the keys of this object and of every nested list or
    object; `max_depth` bounds the lists and objects nested inside it (0: flat
    values only), so the deepest value sits `max_depth + 1` levels down.
    Shrinks towards `{}`, then towards fewer keys and flatter values.
    """
    check_count("max_size", max_size)
    check_count("max_depth", max_depth)
    return st.dictionaries(strings, _json_values(max_size, max_depth), max_size=max_size)


_EPOCH = datetime(1900, 1, 1)
# Whole seconds from 1900-01-01 to 2200-12-31T23:59:59: one integer draw per
# moment (cheaper than st.datetimes) and never a leap second, which RFC 3339
# allows but Python's datetime cannot hold.
_LAST_SECOND = int((datetime(2201, 1, 1) - _EPOCH).total_seconds()) - 1


def _format_date_time(seconds: int, fraction: str, offset: str) -> str:
    moment = _EPOCH + timedelta(seconds=seconds)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}{fraction}{offset}"
    )


def _format_fraction(digits: int, value: int) -> str:
    return "." + f"{value:09d}"[:digits]


def _format_offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_SECONDS = st.integers(0, _LAST_SECOND)
_FRACTIONS = st.one_of(
    st.just(""),
    st.builds(_format_fraction, st.integers(1, 9), st.integers(0, 10**9 - 1)),
)
_OFFSETS = st.one_of(st.just("Z"), st.builds(_format_offset, st.integers(-1439, 1439)))


def date_times() -> st.SearchStrategy[str]:
    """Generate RFC 3339 date-time strings, e.g. `2024-01-15T09:30:00.123+05:30`.

    Years 1900-2200; a `Z` or a `+hh:mm`/`-hh:mm` offset (up to 23:59 either
    way); no fraction or 1-9 fractional digits (finer than a microsecond on
    purpose: servers truncate); never a leap second. Takes no arguments.
    Shrinks towards `1900-01-01T00:00:00Z`.
    """
    return st.builds(_format_date_time, _SECONDS, _FRACTIONS, _OFFSETS)


def naive_date_times() -> st.SearchStrategy[str]:
    """Generate date-times without an offset (`2024-01-15T09:30:00`), which RFC 3339 forbids.

    Used by the invalid-body strategies (pydantic accepts them). Shrinks
    towards `1900-01-01T00:00:00`.
    """
    return st.builds(_format_date_time, _SECONDS, _FRACTIONS, st.just(""))
