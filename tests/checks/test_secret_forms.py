"""One list of the key's forms serves the HTTP layer, the no_secret_echoed check and the reports."""

from __future__ import annotations

import html
import json
from urllib.parse import quote, quote_plus

import pytest

from promptlog_contract._secrets import (
    MIN_SECRET_LENGTH,
    REDACTED,
    contains_secret,
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
