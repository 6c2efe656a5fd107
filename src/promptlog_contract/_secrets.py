"""The one home of secret handling: which spellings of the API key exist, finding them, scrubbing.

The HTTP layer redacts what it records, the `no_secret_echoed` check looks for
the key in responses, and the report writers scrub every byte they write. All
three must agree on what "the key, in any form" means, or one of them is the
weak spot; so the forms are written once, here. A leaf: imports nothing of the
project.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
#: Shorter strings are too likely to occur by chance to be searched for or scrubbed blindly.
MIN_SECRET_LENGTH = 4


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
            )
        }
    forms = set(encoded)
    # ElementTree leaves ' alone in text; html.escape writes &#x27;; others &#39; or &apos;.
    for form in encoded:
        markup = html.escape(form, quote=False)
        for double in ('"', "&quot;", "&#34;"):
            for single in ("'", "&#x27;", "&#39;", "&apos;"):
                forms.add(markup.replace('"', double).replace("'", single))
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


@cache
def _byte_forms(secret: str) -> tuple[bytes, ...]:
    return tuple(form.encode("utf-8") for form in secret_forms(secret))


def contains_secret(value: str | bytes, secret: str) -> bool:
    """Whether `value` holds `secret` in any of its forms (never for too-short secrets)."""
    if len(secret) < MIN_SECRET_LENGTH:
        return False
    if isinstance(value, bytes):
        return any(form in value for form in _byte_forms(secret))
    return any(form in value for form in secret_forms(secret))


class Scrubber:
    """Replaces each secret (in all its forms) with ``[REDACTED]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET_LENGTH:
                forms.update(secret_forms(secret))
        self.forms = sorted(forms, key=lambda form: (-len(form), form))

    def text(self, value: str) -> str:
        for form in self.forms:
            if form in value:
                value = value.replace(form, REDACTED)
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
