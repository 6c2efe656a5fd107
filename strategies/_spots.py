"""Valid bodies with one marked slot, and copy-on-write edits at a JSON path.

An invalid body is built by drawing a valid body whose shape guarantees the
slot exists (a thinking block at `messages[2].thinking[0]`, say), then
replacing or deleting that one slot. This module does the first half; the
edits copy only the containers along the path, so a drawn value is never
mutated after the fact.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from promptlog_contract.types import JSONPath

from ._bodies import DOCUMENTED_FIELDS, carrier_bodies
from ._messages import (
    chat_messages,
    content_parts,
    function_tool_choices,
    image_parts,
    redacted_thinking_contents,
    text_parts,
    thinking_blocks,
    thinking_contents,
    tool_calls,
)

#: A valid body and the path of one slot in it.
Spot = tuple[dict[str, Any], JSONPath]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: What `value_at` returns for a key that is not there.
ABSENT: Any = _Absent()


def value_at(doc: Any, path: JSONPath) -> Any:
    """The value at `path`, or ABSENT when its last key is missing."""
    for step in path:
        if isinstance(doc, dict):
            if step not in doc:
                return ABSENT
            doc = doc[step]
        else:
            doc = doc[step]
    return doc


def replaced(doc: Any, path: JSONPath, value: Any) -> Any:
    """A copy of `doc` with `value` at `path` (a missing last key is added)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[head] = replaced(doc[head], rest, value) if rest else value
    return copy


def deleted(doc: Any, path: JSONPath) -> Any:
    """A copy of `doc` without the key at `path` (the key must exist)."""
    head, rest = path[0], path[1:]
    copy: Any = dict(doc) if isinstance(doc, dict) else list(doc)
    if rest:
        copy[head] = deleted(doc[head], rest)
    else:
        del copy[head]
    return copy


def holding(carrier: dict[str, Any], path: JSONPath) -> dict[str, Any]:
    """The part of a valid `carrier` body that holds `path`, still valid (a deep copy).

    Its top-level field alone (nothing, for a field the carrier lacks); in its
    first message, the role and the one field; in a list there, the items up to
    the one at `path`.
    """
    top = path[0]
    if top not in carrier:
        return {}
    if top != "messages" or len(path) < 3:
        return {top: copy.deepcopy(carrier[top])}
    message = carrier["messages"][0]
    field = path[2]
    kept = {"role": message["role"], field: copy.deepcopy(message[field])}
    if len(path) > 3 and isinstance(kept[field], list):
        kept[field] = kept[field][: int(path[3]) + 1]
    return {"messages": [kept]}


def location(path: JSONPath) -> str:
    """A path with its message slot named `message` and its list indices as `[]`.

    `("messages", 2, "thinking", 0, "signature")` becomes
    `"message.thinking[].signature"`; `("output_message", "role")` becomes
    `"message.role"`.
    """
    steps = list(path)
    parts: list[str] = []
    if steps[:1] == ["output_message"]:
        parts, steps = ["message"], steps[1:]
    elif steps[:1] == ["messages"] and len(steps) > 1 and isinstance(steps[1], int):
        parts, steps = ["message"], steps[2:]
    for step in steps:
        if isinstance(step, int) and parts:
            parts[-1] += "[]"
        else:
            parts.append(str(step))
    return ".".join(parts)


def _others(field: str) -> st.SearchStrategy[dict[str, Any]]:
    return carrier_bodies([name for name in DOCUMENTED_FIELDS if name != field])


_WITHOUT = {field: _others(field) for field in ("output_message", "messages", "tool_choice")}
_FEW_MESSAGES = st.lists(chat_messages(), max_size=2)
_CARRIERS = carrier_bodies(DOCUMENTED_FIELDS)


def _with_field(draw: st.DrawFn, field: str, value: Any) -> dict[str, Any]:
    body = draw(_WITHOUT[field])
    body[field] = value
    return body


def _host_message(draw: st.DrawFn, message: dict[str, Any], *, in_list: bool | None) -> Spot:
    """Place `message` in `output_message` or at a random index of `messages`."""
    if in_list is None:
        in_list = draw(st.booleans())
    if in_list:
        others = draw(_FEW_MESSAGES)
        index = draw(st.integers(0, len(others)))
        return _with_field(draw, "messages", [*others[:index], message, *others[index:]]), (
            "messages",
            index,
        )
    return _with_field(draw, "output_message", message), ("output_message",)


def _message_spots(in_list: bool | None) -> st.SearchStrategy[Spot]:
    @st.composite
    def spots(draw: st.DrawFn) -> Spot:
        return _host_message(draw, draw(chat_messages()), in_list=in_list)

    return spots()


def _item_spots(
    key: str, item: st.SearchStrategy[Any], fillers: st.SearchStrategy[Any]
) -> st.SearchStrategy[Spot]:
    """The slot of one `item` inside a message's `key` list, among 0-2 other items."""

    @st.composite
    def spots(draw: st.DrawFn) -> Spot:
        value = draw(item)
        others = draw(st.lists(fillers, max_size=2))
        index = draw(st.integers(0, len(others)))
        message = dict(draw(chat_messages()))
        message[key] = [*others[:index], value, *others[index:]]
        body, path = _host_message(draw, message, in_list=None)
        return body, (*path, key, index)

    return spots()


@st.composite
def _tool_choice_spots(draw: st.DrawFn) -> Spot:
    return _with_field(draw, "tool_choice", draw(function_tool_choices)), ("tool_choice",)


@st.composite
def _body_spots(draw: st.DrawFn) -> Spot:
    return draw(_CARRIERS), ()


def below(spots: st.SearchStrategy[Spot], *keys: str) -> st.SearchStrategy[Spot]:
    """The same bodies, the slot moved down by `keys`."""

    def extend(spot: Spot) -> Spot:
        return spot[0], (*spot[1], *keys)

    return spots.map(extend)


#: Container slots: each strategy draws a valid body and the path of one object in it.
BODY: st.SearchStrategy[Spot] = _body_spots()
MESSAGE: st.SearchStrategy[Spot] = _message_spots(None)
TOOL_CHOICE: st.SearchStrategy[Spot] = _tool_choice_spots()
TOOL_CALL: st.SearchStrategy[Spot] = _item_spots("tool_calls", tool_calls(), tool_calls())
TEXT_PART: st.SearchStrategy[Spot] = _item_spots("content", text_parts, content_parts())
IMAGE_PART: st.SearchStrategy[Spot] = _item_spots("content", image_parts, content_parts())
THINKING: st.SearchStrategy[Spot] = _item_spots("thinking", thinking_contents, thinking_blocks())
REDACTED: st.SearchStrategy[Spot] = _item_spots(
    "thinking", redacted_thinking_contents, thinking_blocks()
)
