"""Security rules: unknown_log_not_found, auth_enforced, no_secret_echoed."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from promptlog_contract.checks import AuthNotEnforced, SecretEchoed, UnknownLogFound
from promptlog_contract.checks._security import (
    auth_enforced,
    no_secret_echoed,
    unknown_log_not_found,
)
from promptlog_contract.strategies import NEAR_MISS_VARIANTS
from promptlog_contract.types import NOT_JSON, Context, ExchangeKind

from ._factory import API_KEY, CTX, exchange

NOT_FOUND = {"detail": "Log not found"}


@pytest.mark.parametrize("status", [404, 400, 422])
def test_unknown_log_not_found_holds(status: int) -> None:
    unknown_log_not_found(exchange("unknown_log", status=status, body=NOT_FOUND), CTX)


@pytest.mark.parametrize("status", [200, 204, 500])
def test_unknown_log_not_found_catches_found_log(status: int) -> None:
    with pytest.raises(UnknownLogFound, match=str(status)):
        unknown_log_not_found(exchange("unknown_log", status=status, body=NOT_JSON), CTX)


@pytest.mark.parametrize("kind", ["auth_missing", "auth_wrong", "auth_near_miss"])
@pytest.mark.parametrize("status", [401, 403, 404])
def test_auth_enforced_holds(kind: ExchangeKind, status: int) -> None:
    auth_enforced(exchange(kind, status=status, body={"detail": "Unauthorized"}), CTX)


@pytest.mark.parametrize("kind", ["auth_missing", "auth_wrong", "auth_near_miss"])
def test_auth_enforced_catches_unauthenticated_success(kind: ExchangeKind) -> None:
    with pytest.raises(AuthNotEnforced, match="200"):
        auth_enforced(exchange(kind), CTX)


@pytest.mark.parametrize("variant", NEAR_MISS_VARIANTS)
def test_auth_enforced_catches_loose_key_comparison(variant: str) -> None:
    near_miss = exchange("auth_near_miss", status=200, variant=variant)
    with pytest.raises(AuthNotEnforced) as caught:
        auth_enforced(near_miss, CTX)
    message = caught.value.message
    assert f"near-miss API key ({variant})" in message
    assert all(form not in message for form in (API_KEY, API_KEY.swapcase(), API_KEY[:8]))


def test_no_secret_echoed_holds() -> None:
    no_secret_echoed(
        exchange(headers={"content-type": "application/json", "x-key": "[redacted]"}), CTX
    )


def test_no_secret_echoed_ignores_keys_too_short_to_be_secret() -> None:
    no_secret_echoed(exchange(body={"detail": "abc"}), Context(api_key="abc"))
    no_secret_echoed(exchange(), Context(api_key=""))


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"detail": f"bad key {API_KEY}"}).encode(),
        f"<p>{API_KEY}</p>".encode(),
    ],
)
def test_no_secret_echoed_catches_key_in_body(content: bytes) -> None:
    with pytest.raises(SecretEchoed, match="body") as caught:
        no_secret_echoed(exchange(status=401, body=NOT_JSON, content=content), CTX)
    assert API_KEY not in caught.value.message


@pytest.mark.parametrize("secret", ['k3y/with "quotes"+ünï', "key with spaces & more"])
def test_no_secret_echoed_catches_encoded_forms(secret: str) -> None:
    ctx = Context(api_key=secret)
    escaped = json.dumps({"echo": secret}).encode()
    with pytest.raises(SecretEchoed, match="body"):
        no_secret_echoed(exchange(body=NOT_JSON, content=escaped), ctx)
    location = {"content-type": "application/json", "location": f"/x?k={quote(secret, safe='')}"}
    with pytest.raises(SecretEchoed, match="'location'") as caught:
        no_secret_echoed(exchange(headers=location), ctx)
    assert secret not in caught.value.message


def test_no_secret_echoed_does_not_name_a_header_named_after_the_key() -> None:
    headers = {"content-type": "application/json", f"x-{API_KEY}": API_KEY}
    with pytest.raises(SecretEchoed, match="a header") as caught:
        no_secret_echoed(exchange(headers=headers), CTX)
    assert API_KEY not in caught.value.message
