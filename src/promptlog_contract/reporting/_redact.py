"""Keep secrets out of every report byte, whatever the runner already did.

The runner redacts the API key when it records an exchange; this module is the
second line of defence. It scrubs every form of a key (`_secrets` knows them:
raw, URL-encoded, JSON-escaped, HTML/XML-escaped) and it redacts
credential headers by name, so a key the caller forgot to pass as a secret
still does not land in a header table or a curl line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from promptlog_contract._secrets import REDACTED, Scrubber

__all__ = ["REDACTED", "Scrubber", "redact_curl", "redact_headers", "redact_url"]

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
