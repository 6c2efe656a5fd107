"""One list of the key's forms serves the HTTP layer, the no_secret_echoed check and the reports."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus

import pytest

from promptlog_contract._secrets import (
    MIN_SECRET_LENGTH,
    REDACTED,
    contains_secret,
    escape_controls,
    printable,
    scrub,
    secret_forms,
)
from promptlog_contract.checks import SecretEchoed
from promptlog_contract.checks._security import no_secret_echoed
from promptlog_contract.types import Context

from ._factory import exchange

KEY = 'k3y/with "quotes" & <tags> + ünïcode'
#: One spelling from each of the three lists that existed before they were merged.
FORMS = [
    KEY,
    quote(KEY, safe=""),
    quote_plus(KEY, safe=""),
    json.dumps(KEY)[1:-1],
    json.dumps(KEY, ensure_ascii=False)[1:-1],
    json.dumps(json.dumps(KEY)[1:-1])[1:-1],
    html.escape(KEY),
]


@pytest.mark.parametrize("form", FORMS)
def test_no_secret_echoed_catches_every_form(form: str) -> None:
    assert form in secret_forms(KEY)
    echoed = exchange(status=200, body={"output": form}, content=f'{{"x": "{form}"}}'.encode())
    with pytest.raises(SecretEchoed):
        no_secret_echoed(echoed, Context(api_key=KEY))


@pytest.mark.parametrize("form", FORMS)
def test_scrub_removes_every_form(form: str) -> None:
    assert scrub(f"a {form} b", KEY) == f"a {REDACTED} b"
    assert contains_secret(f"a {form} b".encode(), KEY)
    assert not contains_secret(scrub(f"a {form} b", KEY), KEY)


def test_short_secrets_are_never_searched_for() -> None:
    short = "x" * (MIN_SECRET_LENGTH - 1)
    assert not contains_secret(f"a {short} b", short)
    assert scrub(f"a {short} b", short) == f"a {short} b"
    no_secret_echoed(exchange(status=200, content=short.encode()), Context(api_key=short))


ENCODED_KEY = "sk-live/0123456789+abcdefXYZ"


def _encoded_spellings(key: str) -> dict[str, str]:
    raw = key.encode()
    out = {
        "json_u_all": "".join(f"\\u{ord(c):04x}" for c in key),
        "json_u_some": key.replace("k", "\\u006b").replace("0", "\\u0030"),
        "json_slash": key.replace("/", "\\/"),
        "percent_all": "".join(f"%{b:02X}" for b in raw),
        "entities": "".join(f"&#{ord(c)};" for c in key),
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
    }
    for shift in range(3):
        pad = b"\x01\x02"[:shift]
        out[f"b64_{shift}"] = base64.b64encode(pad + raw + b"tail").decode()
        out[f"b64url_{shift}_unpadded"] = base64.urlsafe_b64encode(pad + raw).decode().rstrip("=")
    return out


ENCODED = _encoded_spellings(ENCODED_KEY)


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_no_secret_echoed_catches_decoded_and_encoded_forms(name: str) -> None:
    spelled = ENCODED[name]
    echoed = exchange(status=422, body={}, content=f'{{"echo": "{spelled}"}}'.encode())
    with pytest.raises(SecretEchoed):
        no_secret_echoed(echoed, Context(api_key=ENCODED_KEY))
    header = exchange(status=422, body={}, headers={"x-trace": f"id={spelled}"})
    with pytest.raises(SecretEchoed):
        no_secret_echoed(header, Context(api_key=ENCODED_KEY))


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_scrub_leaves_no_encoded_form(name: str) -> None:
    text = f'{{"echo": "{ENCODED[name]}", "other": "kept"}}'
    scrubbed = scrub(text, ENCODED_KEY)
    assert not contains_secret(scrubbed, ENCODED_KEY)
    assert REDACTED in scrubbed


def test_unrelated_text_is_not_mistaken_for_the_key() -> None:
    text = base64.b64encode(b"just some other bytes, nothing secret here").decode()
    assert not contains_secret(text + " 0123456789abcdef %41 \\u0041", ENCODED_KEY)
    assert scrub("plain text", ENCODED_KEY) == "plain text"


def test_printable_escapes_control_characters_and_scrubs() -> None:
    line = printable(f"a\x1b[31m{ENCODED_KEY}\x00\u202e b\nc", ENCODED_KEY)
    assert line == "a\\x1b[31m[REDACTED]\\x00\\u202e b\\x0ac"
    assert escape_controls("a\nb\tc\x07", keep="\n\t") == "a\nb\tc\\x07"
