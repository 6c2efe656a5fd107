"""Keep secrets out of every report byte, whatever the runner already did.

The runner redacts the API key when it records an exchange; this module is the
second line of defence. It knows the forms a key takes on its way into a
report (raw, URL-encoded, JSON-escaped, HTML/XML-escaped) and it redacts
credential headers by name, so a key the caller forgot to pass as a secret
still does not land in a header table or a curl line.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

REDACTED = "[REDACTED]"
#: Shorter strings are too likely to occur by chance to be scrubbed blindly.
MIN_SECRET_LENGTH = 4
#: Header names whose values are credentials, compared case-insensitively.
SENSITIVE_HEADERS = frozenset(
    {"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"}
)
# A value that is already a placeholder, or a shell variable the reader fills in.
_PLACEHOLDER = re.compile(r"^\s*(\[[A-Za-z ]+\]|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\*+)\s*$")
_CURL_HEADER = re.compile(
    r"(?P<name>(?:x-api-key|authorization|proxy-authorization|cookie)\s*:\s*)"
    r"(?P<value>[^'\"\r\n]*)",
    re.IGNORECASE,
)
_QUERY_SECRET = re.compile(r"key|token|secret|password|auth", re.IGNORECASE)


def secret_forms(secret: str) -> list[str]:
    """Every spelling of `secret` a report may contain, longest first."""
    encoded = {secret}
    # Twice: a JSON body kept as text is JSON-escaped again inside summary.json.
    for _ in range(2):
        encoded |= {
            spelled
            for form in encoded
            for spelled in (
                quote(form, safe=""),
                quote(form),
                quote_plus(form),
                json.dumps(form)[1:-1],
                json.dumps(form, ensure_ascii=False)[1:-1],
            )
        }
    forms = set(encoded)
    # Each of those may then be HTML- or XML-escaped; escapers differ in
    # whether and how they escape quotes (ElementTree leaves ' alone in text).
    for form in encoded:
        markup = html.escape(form, quote=False)
        for double in ('"', "&quot;", "&#34;"):
            for single in ("'", "&#x27;", "&#39;", "&apos;"):
                forms.add(markup.replace('"', double).replace("'", single))
    return sorted(forms, key=lambda form: (-len(form), form))


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


def redact_headers(headers: Any) -> Any:
    """`headers` with credential values replaced, placeholders left as they are."""
    if not isinstance(headers, Mapping):
        return headers
    return {
        name: (
            REDACTED
            if isinstance(name, str)
            and name.lower() in SENSITIVE_HEADERS
            and not (isinstance(value, str) and _PLACEHOLDER.match(value))
            else value
        )
        for name, value in headers.items()
    }


def redact_curl(curl: str) -> str:
    """A curl line whose credential headers carry a placeholder, never a value."""

    def replace(match: re.Match[str]) -> str:
        if _PLACEHOLDER.match(match.group("value")) or not match.group("value").strip():
            return match.group(0)
        return match.group("name") + REDACTED

    return _CURL_HEADER.sub(replace, curl)


def redact_url(url: str) -> str:
    """`url` without user:password or credential-like query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    query = "&".join(
        f"{name}={REDACTED}" if _QUERY_SECRET.search(name) and value else pair
        for pair in parts.query.split("&")
        for name, _, value in [pair.partition("=")]
    )
    return urlunsplit(parts._replace(netloc=netloc, query=query))
