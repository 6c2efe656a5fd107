"""Invalid PATCH bodies: a valid body with exactly one broken slot, labelled.

Each family (a stable id such as `message.role.enum`) pairs a slot with the
values that break it, split by severity: `must-reject` values no lax framework
accepts; `lax-coercible` ones pydantic v1 or v2 in lax mode turns into a valid
value (contracts/SOURCES.md, "Production stack"). Both break the contract; only the first must be
refused by a faithful server. The bad values are chosen with pydantic v1's
coercions in mind (`dict([("a", 1)])`, `str(5)`, `int("12")`), which is why
lists are never lists of pairs and "non-numeric" strings start with a letter.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from hypothesis import strategies as st

from promptlog_contract.types import InvalidBody, Label, Severity

from . import _spots as spots
from ._bodies import DOCUMENTED_FIELDS, FIELD_KINDS
from ._json import (
    check_argument,
    finite_floats,
    json_maps,
    naive_date_times,
    nonempty_strings,
    numbers,
    strings,
)
from ._spots import Spot

#: The constraint names a label's `rule` may hold.
RULES: tuple[str, ...] = ("type", "required", "enum", "const", "discriminator", "format")
SEVERITIES: tuple[Severity, ...] = ("must-reject", "lax-coercible")

_Spec = tuple[str, st.SearchStrategy[Any] | None, st.SearchStrategy[Any] | None]

_BOOLS = st.booleans()
_OBJECTS = json_maps(max_size=2, max_depth=1)
# Never a list of pairs: pydantic v1 calls dict() on a list given for an object.
_JUNK_LISTS = st.lists(st.one_of(st.integers(-9, 9), _BOOLS, st.none()), min_size=1, max_size=3)
# Starting with a letter keeps int()/float() (and so pydantic) from parsing them.
_WORDS = strings.map("x{}".format)
#: Curated bad strings per slot kind (each also gets "x"-prefixed random words).
#: Tests run every one through pydantic v1 and v2 to prove it is must-reject.
WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "number": ("abc", "twelve", "1,5", "N/A", ""),
        "date-time": (
            "yesterday",
            "2024-13-45T99:00:00Z",
            "",
            "15/01/2024",
            "2024-02-30T10:00:00Z",
            "2024-01-15T09:30:00 UTC",
        ),
        "tool_choice": ("sometimes", "None", "AUTO", "any", "function", "", "none "),
        "role": ("robot", "User", "ASSISTANT", "function", "model", "human", ""),
        "content_part": ("image", "input_text", "TEXT", "video", ""),
        "thinking_block": ("thinking_v2", "redacted", "text", "Thinking", ""),
        "detail": ("medium", "HIGH", "original", ""),
        "function": ("tool", "Function", "functions", ""),
    }
)
_NON_NUMERIC = st.one_of(st.sampled_from(WORDS["number"]), _WORDS)
_INT_STRINGS = st.integers(-(10**12), 10**12).map(str)
_FRACTIONAL = st.builds(
    operator.add, st.integers(-(10**6), 10**6), st.sampled_from((0.5, 0.25, 0.75, 0.125))
)
_TIMESTAMPS = st.one_of(st.integers(0, 4_102_444_800), st.floats(0, 4.1e9))
_LAX_DATE_TIMES = st.one_of(
    st.dates(date(1900, 1, 1), date(2200, 12, 31)).map(date.isoformat),
    naive_date_times(),
    st.integers(0, 4_102_444_800).map(str),
)
_BAD_DATE_TIMES = st.one_of(st.sampled_from(WORDS["date-time"]), _WORDS)
_ITEMS = st.one_of(strings, numbers, _BOOLS, st.none(), _JUNK_LISTS)

_STRING: list[_Spec] = [("type", st.one_of(_OBJECTS, _JUNK_LISTS), st.one_of(numbers, _BOOLS))]
# A fractional count is must-reject although pydantic v1 accepts it: v1 truncates it,
# so what is stored is not what was sent (AMBIGUITIES A4); v2 refuses it.
_INTEGER: list[_Spec] = [
    (
        "type",
        st.one_of(_NON_NUMERIC, _OBJECTS, _JUNK_LISTS, _FRACTIONAL),
        st.one_of(_INT_STRINGS, _BOOLS),
    )
]
_NUMBER: list[_Spec] = [
    (
        "type",
        st.one_of(_NON_NUMERIC, _OBJECTS, _JUNK_LISTS),
        st.one_of(_INT_STRINGS, finite_floats.map(repr), _BOOLS),
    )
]
_DATE_TIME: list[_Spec] = [
    ("type", st.one_of(_OBJECTS, _JUNK_LISTS), st.one_of(_TIMESTAMPS, _BOOLS)),
    ("format", _BAD_DATE_TIMES, _LAX_DATE_TIMES),
]
_OBJECT: list[_Spec] = [("type", st.one_of(nonempty_strings, numbers, _BOOLS, _JUNK_LISTS), None)]
_LIST: list[_Spec] = [("type", st.one_of(_OBJECTS, strings, numbers, _BOOLS), None)]
_CONTENT: list[_Spec] = [("type", _OBJECTS, st.one_of(numbers, _BOOLS))]
_ITEM: list[_Spec] = [("type", _ITEMS, None)]


def _misses(*words: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(words), _WORDS)


def _choice(rule: str, misses: st.SearchStrategy[str]) -> list[_Spec]:
    """An enum, const or discriminator slot: wrong JSON type, or a string outside the set."""
    return [("type", st.one_of(numbers, _BOOLS, _OBJECTS, _JUNK_LISTS), None), (rule, misses, None)]


_FIELD_SPECS: dict[str, list[_Spec]] = {
    "integer": _INTEGER,
    "number": _NUMBER,
    "string": _STRING,
    "date-time": _DATE_TIME,
    "map": _OBJECT,
    "messages": _LIST,
    "tool_choice": [
        ("type", st.one_of(numbers, _BOOLS, _JUNK_LISTS), None),
        ("enum", _misses(*WORDS["tool_choice"]), None),
    ],
}


@dataclass(frozen=True)
class _Case:
    spots: st.SearchStrategy[Spot]
    must: st.SearchStrategy[Any] | None
    lax: st.SearchStrategy[Any] | None


@dataclass(frozen=True)
class Family:
    """One invalid-body family: a stable id, the rule it breaks, where and how."""

    id: str
    rule: str
    cases: tuple[_Case, ...]


@dataclass(frozen=True)
class Broken:
    """An invalid body, its family, and the valid value its slot held (ABSENT if none)."""

    invalid: InvalidBody
    family: str
    original: Any


def _keyed(
    prefix: str,
    container: st.SearchStrategy[Spot],
    key: str,
    specs: Iterable[_Spec],
    *,
    required: bool = False,
) -> list[Family]:
    """Families for one key of an object: one per spec, plus `required` when it is."""
    slot = spots.below(container, key)
    base = f"{prefix}.{key}" if prefix else key
    families = []
    for rule, must, lax in specs:
        if required and rule == "type" and must is not None:
            must = st.one_of(must, st.none())  # null is a wrong type only where not optional
        families.append(Family(f"{base}.{rule}", rule, (_Case(slot, must, lax),)))
    if required:
        families.append(Family(f"{base}.required", "required", (_Case(slot, None, None),)))
    return families


def _slot(name: str, container: st.SearchStrategy[Spot], specs: Iterable[_Spec]) -> list[Family]:
    """Families that replace a whole object (a list item, `output_message`)."""
    return [
        Family(f"{name}.{rule}", rule, (_Case(container, must, lax),)) for rule, must, lax in specs
    ]


def _merged(families: Iterable[Family]) -> tuple[Family, ...]:
    """Join families that share an id (a text and an image part's `type`, say)."""
    by_id: dict[str, Family] = {}
    for family in families:
        known = by_id.get(family.id)
        by_id[family.id] = (
            family if known is None else Family(family.id, family.rule, known.cases + family.cases)
        )
    return tuple(by_id.values())


def _all_families() -> tuple[Family, ...]:
    found: list[Family] = []
    for field in DOCUMENTED_FIELDS:
        if field != "output_message":
            found += _keyed("", spots.BODY, field, _FIELD_SPECS[FIELD_KINDS[field]])
    msg, part, call, block = (
        "message",
        "message.content[]",
        "message.tool_calls[]",
        "message.thinking[]",
    )
    role_misses = _misses(*WORDS["role"])
    found += _slot(msg, spots.MESSAGE, _OBJECT)
    found += _keyed(msg, spots.MESSAGE, "role", _choice("enum", role_misses), required=True)
    found += _keyed(msg, spots.MESSAGE, "content", _CONTENT)
    for key in ("name", "tool_call_id"):
        found += _keyed(msg, spots.MESSAGE, key, _STRING)
    for key in ("tool_calls", "thinking"):
        found += _keyed(msg, spots.MESSAGE, key, _LIST)
    # content parts
    found += _slot(part, st.one_of(spots.TEXT_PART, spots.IMAGE_PART), _ITEM)
    part_misses = WORDS["content_part"]
    found += _keyed(
        part,
        spots.TEXT_PART,
        "type",
        _choice("discriminator", _misses("image_url", *part_misses)),
        required=True,
    )
    found += _keyed(part, spots.TEXT_PART, "text", _STRING, required=True)
    found += _keyed(
        part,
        spots.IMAGE_PART,
        "type",
        _choice("discriminator", _misses("text", *part_misses)),
        required=True,
    )
    found += _keyed(part, spots.IMAGE_PART, "image_url", _OBJECT, required=True)
    image_url = spots.below(spots.IMAGE_PART, "image_url")
    found += _keyed(f"{part}.image_url", image_url, "url", _STRING, required=True)
    detail_misses = _misses(*WORDS["detail"])
    found += _keyed(f"{part}.image_url", image_url, "detail", _choice("enum", detail_misses))
    # tool calls
    function_misses = _misses(*WORDS["function"])
    found += _slot(call, spots.TOOL_CALL, _ITEM)
    found += _keyed(call, spots.TOOL_CALL, "id", _STRING, required=True)
    found += _keyed(call, spots.TOOL_CALL, "type", _choice("const", function_misses), required=True)
    found += _keyed(call, spots.TOOL_CALL, "function", _OBJECT, required=True)
    function = spots.below(spots.TOOL_CALL, "function")
    found += _keyed(f"{call}.function", function, "name", _STRING, required=True)
    found += _keyed(f"{call}.function", function, "arguments", _STRING)
    # thinking blocks
    block_misses = WORDS["thinking_block"]
    found += _slot(block, st.one_of(spots.THINKING, spots.REDACTED), _ITEM)
    found += _keyed(
        block,
        spots.THINKING,
        "type",
        _choice("discriminator", _misses("redacted_thinking", *block_misses)),
        required=True,
    )
    for key in ("thinking", "signature"):
        found += _keyed(block, spots.THINKING, key, _STRING, required=True)
    found += _keyed(
        block,
        spots.REDACTED,
        "type",
        _choice("discriminator", _misses("thinking", *block_misses)),
        required=True,
    )
    found += _keyed(block, spots.REDACTED, "data", _STRING, required=True)
    # the object form of tool_choice
    found += _keyed(
        "tool_choice", spots.TOOL_CHOICE, "type", _choice("const", function_misses), required=True
    )
    found += _keyed("tool_choice", spots.TOOL_CHOICE, "function", _OBJECT, required=True)
    chosen = spots.below(spots.TOOL_CHOICE, "function")
    found += _keyed("tool_choice.function", chosen, "name", _STRING, required=True)
    return _merged(found)


#: Every invalid-body family, body-level fields first.
FAMILIES: tuple[Family, ...] = _all_families()
FAMILY_IDS: tuple[str, ...] = tuple(family.id for family in FAMILIES)


def _tagged(severity: Severity) -> Any:
    def tag(value: Any) -> tuple[Any, Severity]:
        return value, severity

    return tag


def _broken(
    family: Family, case: _Case, severities: frozenset[str]
) -> st.SearchStrategy[Broken] | None:
    if family.rule == "required":
        if "must-reject" not in severities:
            return None

        @st.composite
        def without_key(draw: st.DrawFn) -> Broken:
            body, path = draw(case.spots)
            label = Label(path, family.rule, "must-reject")
            return Broken(
                InvalidBody(spots.deleted(body, path), label), family.id, spots.value_at(body, path)
            )

        return without_key()
    options = []
    if case.must is not None and "must-reject" in severities:
        options.append(case.must.map(_tagged("must-reject")))
    if case.lax is not None and "lax-coercible" in severities:
        options.append(case.lax.map(_tagged("lax-coercible")))
    if not options:
        return None
    bad = st.one_of(options)

    @st.composite
    def with_bad_value(draw: st.DrawFn) -> Broken:
        body, path = draw(case.spots)
        value, severity = draw(bad)
        label = Label(path, family.rule, severity)
        return Broken(
            InvalidBody(spots.replaced(body, path, value), label),
            family.id,
            spots.value_at(body, path),
        )

    return with_bad_value()


@cache
def _broken_bodies(ids: tuple[str, ...], severities: frozenset[str]) -> st.SearchStrategy[Broken]:
    options = []
    for family in FAMILIES:
        if family.id in ids:
            options += [
                s for case in family.cases if (s := _broken(family, case, severities)) is not None
            ]
    check_argument(
        bool(options), f"no invalid-body family has a value of severity {sorted(severities)}"
    )
    return st.one_of(options)


def broken_bodies(
    *, rules: Collection[str] | None = None, severities: Collection[str] | None = None
) -> st.SearchStrategy[Broken]:
    """Generate invalid bodies with their family id and the valid value their slot held.

    The arguments are those of `invalid_update_bodies`. Tests use the original
    value to repair the body and prove nothing else was broken.
    """
    if rules is None:
        ids = FAMILY_IDS
    else:
        check_argument(not isinstance(rules, str | bytes), f"rules={rules!r} must be a collection")
        unknown = sorted(str(r) for r in rules if r not in RULES and r not in FAMILY_IDS)
        check_argument(
            not unknown, f"unknown rules {unknown!r}: use RULES or CATALOG['invalid_rule']"
        )
        ids = tuple(f.id for f in FAMILIES if f.id in rules or f.rule in rules)
    if severities is None:
        chosen = frozenset[str](SEVERITIES)
    else:
        check_argument(
            not isinstance(severities, str | bytes),
            f"severities={severities!r} must be a collection",
        )
        unknown = sorted(str(s) for s in severities if s not in SEVERITIES)
        check_argument(not unknown, f"unknown severities {unknown!r}; expected {SEVERITIES!r}")
        chosen = frozenset[str](severities)
    check_argument(bool(ids) and bool(chosen), "rules and severities must not be empty")
    return _broken_bodies(ids, chosen)


def _invalid_of(broken: Broken) -> InvalidBody:
    return broken.invalid


def labelled_bodies(
    *,
    rules: Collection[str] | None = None,
    severities: Collection[Severity] | None = None,
) -> st.SearchStrategy[InvalidBody]:
    """Drawn invalid bodies for `invalid_update_bodies()` without a `kinds` selection."""
    return broken_bodies(rules=rules, severities=severities).map(_invalid_of)
