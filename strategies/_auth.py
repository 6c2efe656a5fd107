"""Near-miss API keys: the real key bent the ways a loose comparison forgives.

A server that lowercases, trims, or compares only a prefix of the key passes
a probe with a random wrong key; it fails one with the real key slightly
wrong. The variants are forms of the secret: their value never appears in a
repr, and reports name them only by `name`.

HTTP parsers drop spaces and tabs around a header value (RFC 9110 §5.5), so
a faithful server never sees them: the `whitespace` variant wraps the key in
no-break spaces (byte 0xA0), which survive the parser and which Python's
`str.strip()` (the loose server's usual tool) still removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._json import check_argument

#: The near-miss variants, in the order `near_miss_keys` returns them.
NEAR_MISS_VARIANTS: tuple[str, ...] = (
    "case_flipped",
    "whitespace",
    "appended",
    "truncated",
    "prefix",
)
#: How many leading characters the `prefix` variant keeps.
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class NearMissKey:
    """One near-miss variant of the API key: its name and the header bytes to send."""

    name: str
    value: bytes = field(repr=False)


def _flip_case(key: str) -> str:
    return key.swapcase()


def near_miss_keys(api_key: str) -> tuple[NearMissKey, ...]:
    """The near-miss variants of `api_key` that differ from it (each must get 401/403).

    `case_flipped` swaps the case of every letter, `whitespace` wraps the key in
    no-break spaces, `appended` adds one character, `truncated` drops the last
    one, `prefix` keeps the first 8. A variant equal to the key or to an
    earlier variant is left out (a key without letters has no `case_flipped`).
    An empty key raises InvalidArgument. Deterministic; no shrinking applies.
    """
    check_argument(bool(api_key), "api_key must not be empty")
    raw = api_key.encode("utf-8")
    candidates = (
        ("case_flipped", _flip_case(api_key).encode("utf-8")),
        ("whitespace", b"\xa0" + raw + b"\xa0"),
        ("appended", raw + (b"x" if not raw.endswith(b"x") else b"y")),
        ("truncated", raw[:-1]),
        ("prefix", raw[:PREFIX_LENGTH]),
    )
    seen = {raw, b""}
    variants = []
    for name, value in candidates:
        if value not in seen:
            seen.add(value)
            variants.append(NearMissKey(name, value))
    return tuple(variants)
