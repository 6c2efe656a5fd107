"""Semantic equality of JSON values, as the contract means them.

A faithful server does not echo bytes: it parses into models and serialises
again, so `1` may come back as `1.0`, a date-time with an offset as `Z`, and
nanoseconds truncated to microseconds. Comparing strings would call all of
that a violation; this module compares what the values mean instead, and
says where the first real difference is.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

__all__ = [
    "DATE_TIME_FIELDS",
    "FREE_FORM_FIELDS",
    "difference",
    "locate",
    "parse_instant_ns",
    "semantically_equal",
    "short",
]

#: Top-level request fields the schema types as date-time.
DATE_TIME_FIELDS = frozenset({"created_at", "start_time", "end_time"})
#: Top-level maps of arbitrary JSON: stored as given, so no key may appear or vanish.
FREE_FORM_FIELDS = frozenset({"inputs", "metadata", "provider_request", "provider_response"})
REL_TOL = 1e-9
#: Python datetimes hold microseconds; anything finer is lost, so allow < 1 µs.
_TOLERANCE_NS = 1_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)

Mode = Literal["structured", "exact"]


def semantically_equal(expected: Any, got: Any, *, field: str | None = None) -> bool:
    """True when `got` means the same as `expected` for the top-level request `field`."""
    return difference(expected, got, field=field) is None


def difference(expected: Any, got: Any, *, field: str | None = None) -> str | None:
    """Where `got` first differs from `expected`, as 'path: expected X, got Y'; None if equal.

    `field` is the top-level request field the values belong to: it decides
    whether strings are date-times and whether objects are free-form maps.
    Absent and null are the same everywhere except as keys of free-form maps.
    """
    found = locate(expected, got, field=field)
    return None if found is None else found[1]


def locate(
    expected: Any, got: Any, *, field: str | None = None
) -> tuple[tuple[str | int, ...], str] | None:
    """`difference` with the location as path parts: ((field, 0, "content"), message)."""
    path: tuple[str | int, ...] = (field or "<value>",)
    if field in DATE_TIME_FIELDS and isinstance(expected, str):
        sent_ns = parse_instant_ns(expected)
        if sent_ns is not None:
            got_ns = parse_instant_ns(got) if isinstance(got, str) else None
            if got_ns is not None and abs(got_ns - sent_ns) < _TOLERANCE_NS:
                return None
            return path, _say(path, expected, got)
    mode: Mode = "exact" if field in FREE_FORM_FIELDS else "structured"
    return _diff(expected, got, path, mode)


def parse_instant_ns(text: str) -> int | None:
    """An RFC 3339 / ISO 8601 date-time as nanoseconds since the epoch (naive = UTC).

    Fractions finer than nanoseconds are cut; None when `text` is not a date-time.
    """
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.group(1, 2, 3, 4, 5, 6))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    fraction = int(((match.group(7) or "") + "000000000")[:9])
    offset_s = 0
    if match.group(9):
        sign = -1 if match.group(9) == "-" else 1
        offset_s = sign * (int(match.group(10)) * 3600 + int(match.group(11)) * 60)
    seconds = (moment - _EPOCH) // timedelta(seconds=1) - offset_s
    return seconds * 1_000_000_000 + fraction


def short(value: Any, limit: int = 120) -> str:
    """A JSON rendering of `value` cut to `limit` characters, for messages."""
    if value is None:
        return "null/absent"
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


Path = tuple[str | int, ...]
Found = tuple[Path, str] | None


def _say(path: Path, expected: Any, got: Any) -> str:
    return f"{_text(path)}: expected {short(expected)}, got {short(got)}"


def _text(path: Path) -> str:
    return "/".join(str(part) for part in path)


def _diff(expected: Any, got: Any, path: Path, mode: Mode) -> Found:
    if isinstance(expected, dict) and isinstance(got, dict):
        return _diff_objects(expected, got, path, mode)
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return path, f"{_text(path)}: expected {len(expected)} items, got {len(got)}"
        for index, (left, right) in enumerate(zip(expected, got, strict=True)):
            found = _diff(left, right, (*path, index), mode)
            if found is not None:
                return found
        return None
    return None if _scalars_equal(expected, got) else (path, _say(path, expected, got))


def _diff_objects(expected: dict[str, Any], got: dict[str, Any], path: Path, mode: Mode) -> Found:
    if mode == "exact" and expected.keys() != got.keys():
        missing = sorted(expected.keys() - got.keys())
        extra = sorted(got.keys() - expected.keys())
        return path, f"{_text(path)}: keys differ (missing {missing}, extra {extra})"
    # Structured objects: absent == null, so an invented key must be null.
    for key in [*expected, *(k for k in got if k not in expected)]:
        found = _diff(expected.get(key), got.get(key), (*path, key), mode)
        if found is not None:
            return found
    return None


def _scalars_equal(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is got
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return _numbers_equal(expected, got)
    if isinstance(expected, str) and isinstance(got, str):
        return expected == got
    return False


def _numbers_equal(expected: float, got: float) -> bool:
    if expected == got:
        return True
    if isinstance(expected, int) and isinstance(got, int):
        return False
    try:  # an int beyond float range cannot be close to any float
        both_nan = math.isnan(expected) and math.isnan(got)
        return both_nan or math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=0.0)
    except OverflowError:
        return False
