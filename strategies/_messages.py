"""Chat messages and the objects inside them: content parts, tool calls, thinking blocks.

These shapes appear twice in a body (`output_message` and each item of
`messages`) and again, broken one spot at a time, in the invalid bodies, so
they live in one module with no knowledge of the body around them.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ._json import check_argument, json_maps, strings

#: Every ChatRole value (contracts/SOURCES.md, "SDK"), `developer` included.
ALL_ROLES: tuple[str, ...] = ("user", "assistant", "system", "tool", "developer")
#: The three string forms of `tool_choice`.
TOOL_CHOICE_MODES: tuple[str, ...] = ("none", "auto", "required")
#: ImageUrl `detail` values.
IMAGE_DETAILS: tuple[str, ...] = ("high", "low", "auto")

_URLS = st.one_of(
    st.builds("https://example.com/img/{}.png".format, st.integers(0, 10**6)),
    st.just(
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
    ),
    strings,
)
_IMAGE_URLS = st.fixed_dictionaries(
    {"url": _URLS}, optional={"detail": st.sampled_from(IMAGE_DETAILS)}
)
text_parts: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"type": st.just("text"), "text": strings}
)
image_parts: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"type": st.just("image_url"), "image_url": _IMAGE_URLS}
)
thinking_contents: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"type": st.just("thinking"), "thinking": strings, "signature": strings}
)
redacted_thinking_contents: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"type": st.just("redacted_thinking"), "data": strings}
)
# `arguments` is a JSON-encoded string, not an object (contracts/SOURCES.md, "SDK").
_ARGUMENTS = json_maps(max_size=3, max_depth=0).map(json.dumps)
function_tool_choices: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"type": st.just("function"), "function": st.fixed_dictionaries({"name": strings})}
)


def content_parts() -> st.SearchStrategy[dict[str, Any]]:
    """Generate one content part of a message's `content` list.

    Either `{"type": "text", "text": ...}` or `{"type": "image_url",
    "image_url": {"url": ..., "detail"?: "high"|"low"|"auto"}}`; URLs are
    https, data: or arbitrary strings. Takes no arguments. Shrinks towards
    `{"type": "text", "text": ""}`.
    """
    return st.one_of(text_parts, image_parts)


def tool_calls() -> st.SearchStrategy[dict[str, Any]]:
    """Generate one ToolCall: `{"id", "type": "function", "function": {"name", "arguments"?}}`.

    `arguments`, when present, is a JSON-encoded object. Takes no arguments.
    Shrinks towards empty `id` and `name` and no `arguments`.
    """
    return st.fixed_dictionaries(
        {
            "id": strings,
            "type": st.just("function"),
            "function": st.fixed_dictionaries(
                {"name": strings}, optional={"arguments": _ARGUMENTS}
            ),
        }
    )


def thinking_blocks() -> st.SearchStrategy[dict[str, Any]]:
    """Generate one item of a message's `thinking` list.

    Either `{"type": "thinking", "thinking", "signature"}` or `{"type":
    "redacted_thinking", "data"}`. Takes no arguments. Shrinks towards a
    `thinking` block with empty strings.
    """
    return st.one_of(thinking_contents, redacted_thinking_contents)


def tool_choices() -> st.SearchStrategy[str | dict[str, Any]]:
    """Generate a `tool_choice` value: `"none"`, `"auto"`, `"required"` or a function object.

    The object form is `{"type": "function", "function": {"name": ...}}`.
    Takes no arguments. Shrinks towards `"none"`.
    """
    return st.one_of(st.sampled_from(TOOL_CHOICE_MODES), function_tool_choices)


@cache
def _chat_messages(roles: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"role": st.sampled_from(roles)},
        optional={
            "content": st.one_of(strings, st.lists(content_parts(), max_size=3), st.none()),
            "name": st.one_of(strings, st.none()),
            "tool_call_id": st.one_of(strings, st.none()),
            "tool_calls": st.one_of(st.lists(tool_calls(), max_size=3), st.none()),
            "thinking": st.lists(thinking_blocks(), max_size=3),
        },
    )


def chat_messages(*, roles: Collection[str] = ALL_ROLES) -> st.SearchStrategy[dict[str, Any]]:
    """Generate one ChatMessage, as sent in `output_message` or in `messages`.

    `role` is always present, drawn from `roles` (a non-empty subset of
    ALL_ROLES; anything else raises InvalidArgument). Each of `content`
    (a string, a list of up to 3 content parts, or null), `name` and
    `tool_call_id` (string or null), `tool_calls` (up to 3, or null) and
    `thinking` (0-3 blocks) may be absent. Shrinks towards `{"role": <first
    role>}`.
    """
    check_argument(
        not isinstance(roles, str | bytes), f"roles={roles!r} must be a collection of roles"
    )
    chosen = tuple(dict.fromkeys(roles))
    check_argument(bool(chosen), "roles must not be empty")
    unknown = [role for role in chosen if role not in ALL_ROLES]
    check_argument(not unknown, f"unknown roles {unknown!r}; expected some of {ALL_ROLES!r}")
    return _chat_messages(chosen)
