"""The one home of secret handling: which spellings of the API key exist, finding them, scrubbing.

The HTTP layer redacts what it records, the `no_secret_echoed` check looks for
the key in responses, and the report writers and the terminal scrub every byte
they write. All must agree on what "the key, in any form" means, or one of
them is the weak spot; so the forms are written once, here. The key is looked
for by meaning: text is decoded first (JSON string escapes, percent-encoding,
HTML entities), and base64 (standard and URL-safe, at each of the three byte
alignments, padded or not) and hex spellings are searched too. Printing goes
through `printable`, which also escapes control characters. A leaf: imports
nothing of the project.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

REDACTED = "[REDACTED]"
#: Shorter strings are too likely to occur by chance to be searched for or scrubbed blindly.
MIN_SECRET_LENGTH = 4
#: Base64 and hex spellings of shorter keys are too short to search for without false alarms.
MIN_ENCODED_LENGTH = 8
#: What a text becomes when the key is in it in a form that cannot be cut out alone.
WHOLLY_REDACTED = f"{REDACTED} (held the API key in an encoded form)"

_JSON_ESCAPE = re.compile(r'\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))')
_JSON_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
# C0 and C1 controls, DEL, and the bidi overrides that can make a terminal line lie.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _json_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        char = match.group(2)
        return _JSON_SIMPLE.get(char, char)

    return _JSON_ESCAPE.sub(one, text)


_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")


def _decoded(view: str, secret: str) -> list[str]:
    """`view` decoded each way that changes it (cheap tests first: most texts need none)."""
    out = []
    if "\\" in view and _JSON_ESCAPE.search(view):
        out.append(_json_unescape(view))
    if "%" in view and _PERCENT.search(view):
        out.append(unquote(view))
        if " " in secret:
            out.append(unquote_plus(view))
    elif "+" in view and " " in secret:
        out.append(view.replace("+", " "))
    if "&" in view and _ENTITY.search(view):
        out.append(html.unescape(view))
    return out


def _views(text: str, secret: str) -> list[str]:
    """What `text` reads as once decoded (JSON escapes, %-encoding, entities), twice over."""
    views: list[str] = []
    frontier = [text]
    for _ in range(2):
        frontier = [d for view in frontier for d in _decoded(view, secret) if d != view]
        views += frontier
    return views


@cache
def encoded_forms(secret: str) -> tuple[str, ...]:
    """Base64 (std, URL-safe; at each byte alignment, so also inside a longer blob) and hex."""
    raw = secret.encode("utf-8")
    if len(secret) < MIN_ENCODED_LENGTH:
        return ()
    forms = {raw.hex(), raw.hex().upper()}
    for shift in range(3):
        # Only the characters that depend on the key's bytes alone: from the first
        # whole sextet after the shifted start to the last whole one inside the key.
        text = base64.b64encode(b"\0" * shift + raw).decode()
        core = text[(8 * shift + 5) // 6 : (8 * (shift + len(raw))) // 6]
        forms |= {core, core.replace("+", "-").replace("/", "_")}
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


@cache
def secret_forms(secret: str) -> tuple[str, ...]:
    """Every spelling of `secret` a response or a report may contain, longest first.

    Raw, URL-encoded (both ways), JSON-escaped (ASCII or not), each applied
    twice (a JSON body kept as text is JSON-escaped again inside summary.json),
    then HTML/XML-escaped the ways escapers differ on quotes.
    """
    encoded = {secret}
    for _ in range(2):
        encoded |= {
            spelled
            for form in encoded
            for spelled in (
                quote(form, safe=""),
                quote(form),
                quote_plus(form),
                quote_plus(form, safe=""),
                json.dumps(form)[1:-1],
                json.dumps(form, ensure_ascii=False)[1:-1],
                json.dumps(form)[1:-1].replace("/", "\\/"),  # PHP, Go's HTML-safe encoders
            )
        }
    forms = set(encoded)
    # ElementTree leaves ' alone in text; html.escape writes &#x27;; others &#39; or &apos;.
    for form in encoded:
        markup = html.escape(form, quote=False)
        for double in ('"', "&quot;", "&#34;"):
            for single in ("'", "&#x27;", "&#39;", "&apos;"):
                forms.add(markup.replace('"', double).replace("'", single))
    forms.update(encoded_forms(secret))
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


@cache
def _core_forms(secret: str) -> tuple[str, ...]:
    return (secret, *encoded_forms(secret))


def contains_secret(value: str | bytes, secret: str) -> bool:
    """Whether `value` holds `secret` in any form, decoded or not (never for too-short secrets)."""
    if len(secret) < MIN_SECRET_LENGTH:
        return False
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if any(form in value for form in secret_forms(secret)):
        return True
    core = _core_forms(secret)
    return any(form in view for view in _views(value, secret) for form in core)


def escape_controls(text: str, *, keep: str = "") -> str:
    """`text` with control characters (but those in `keep`) written as visible escapes."""

    def one(match: re.Match[str]) -> str:
        char = match.group(0)
        if char in keep:
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROLS.sub(one, text)


def printable(text: str, secret: str | None) -> str:
    """`text` fit for a terminal line: the key scrubbed in every form, controls escaped."""
    return escape_controls(scrub(text, secret) if secret else text)


class Scrubber:
    """Replaces each secret (in all its forms) with ``[REDACTED]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        self.secrets = tuple(
            s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH
        )
        for secret in self.secrets:
            forms.update(secret_forms(secret))
        self.forms = sorted(forms, key=lambda form: (-len(form), form))

    def text(self, value: str) -> str:
        """`value` with every known spelling replaced; wholly replaced if the key hides in it."""
        for form in self.forms:
            if form in value:
                value = value.replace(form, REDACTED)
        # A spelling no list holds (say, \u-escaping of some characters only) cannot be cut
        # out precisely: the whole text goes rather than a fragment of the key.
        if any(contains_secret(value, secret) for secret in self.secrets):
            return WHOLLY_REDACTED
        return value

    def data(self, value: Any) -> Any:
        """A deep copy of JSON-like `value` with every string (keys too) scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {
                self.data(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.data(item) for item in value]
        return value

    def encode(self, text: str) -> bytes:
        return self.text(text).encode("utf-8")


@cache
def _scrubber(secret: str) -> Scrubber:
    return Scrubber((secret,))


def scrub(text: str, secret: str) -> str:
    """`text` with every form of `secret` replaced by ``[REDACTED]``."""
    return _scrubber(secret).text(text)
