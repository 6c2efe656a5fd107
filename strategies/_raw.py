"""Byte-level PATCH requests that no JSON value can express, with the statuses allowed.

A fixed, named list rather than a generated one: each entry is a distinct
question about the server's parser (what does it do with no body, a JSON
array, a NaN literal, 5,000 levels of nesting?), and reports refer to the
entries by name, so the names are stable.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from promptlog_contract.types import RawRequest

_JSON = "application/json"
_NESTING = 5_000
_LARGE = 2 * 1024 * 1024
_SHOWN = 64


def _nested(depth: int) -> bytes:
    return b'{"metadata": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


def _large(size: int) -> bytes:
    return b'{"output": "' + b"a" * size + b'"}'


class _RawRequest(RawRequest):
    """A RawRequest whose repr abbreviates a long content (Hypothesis prints failing inputs)."""

    def __repr__(self) -> str:
        content = self.content
        shown = (
            repr(content)
            if len(content) <= _SHOWN
            else f"<{len(content)} bytes: {content[:_SHOWN]!r}...>"
        )
        return (
            f"RawRequest(name={self.name!r}, content={shown}, content_type={self.content_type!r}, "
            f"expected_statuses={sorted(self.expected_statuses)!r})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def _raw(
    name: str, content: bytes, statuses: set[int], note: str, content_type: str | None = _JSON
) -> RawRequest:
    return _RawRequest(name, content, content_type, frozenset(statuses), note)


#: Every raw request, simplest first. Names are stable: reports use them.
RAW_REQUESTS: tuple[RawRequest, ...] = (
    _raw("empty_body", b"", {200, 422}, "no bytes; the SDK sends this for a call without fields"),
    _raw("malformed_json", b'{"output": "hi"', {400, 422}, "truncated object"),
    _raw("json_array", b'[{"output": "hi"}]', {400, 422}, "body is an array"),
    _raw("json_string", b'"hi"', {400, 422}, "body is a string"),
    _raw("json_number", b"42", {400, 422}, "body is a number"),
    _raw("json_null", b"null", {400, 422}, "body is null"),
    _raw(
        "text_plain",
        b'{"output": "hi"}',
        {200, 415, 422},
        "valid JSON object sent as text/plain",
        "text/plain",
    ),
    _raw(
        "no_content_type",
        b'{"output": "hi"}',
        {200, 415, 422},
        "valid JSON object without a content-type header",
        None,
    ),
    _raw(
        "deeply_nested",
        _nested(_NESTING),
        {200, 400, 413, 422},
        f"metadata nested {_NESTING} objects deep",
    ),
    _raw("large_body", _large(_LARGE), {200, 413}, "a 2 MiB output string"),
    _raw("nan_literal", b'{"prompt_cost": NaN}', {400, 422}, "NaN is not JSON"),
    _raw(
        "number_overflow",
        b'{"prompt_cost": 1e400}',
        {400, 422},
        "overflows a double to infinity; a stored inf breaks every later read",
    ),
    _raw("invalid_utf8", b'{"output": "\xff\xfe"}', {400, 422}, "bytes that are not UTF-8"),
)


_BY_NAME = {raw.name: raw for raw in RAW_REQUESTS}
_NAMES = tuple(_BY_NAME)


def raw_requests() -> st.SearchStrategy[RawRequest]:
    """Generate one of RAW_REQUESTS (malformed JSON, wrong content types, huge bodies...).

    Takes no arguments. Shrinks towards the first entry, `empty_body`.
    """
    # Sampling names keeps the strategy's repr small (the entries hold megabytes).
    return st.sampled_from(_NAMES).map(_BY_NAME.__getitem__)
