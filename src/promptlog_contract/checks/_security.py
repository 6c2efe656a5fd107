"""Rules about who may touch which log, and what must never come back.

A missing or wrong key must not succeed, a log that does not exist must not
be found, and the key itself must never be echoed: reports and logs that
store responses would leak it.
"""

from __future__ import annotations

from promptlog_contract._secrets import contains_secret
from promptlog_contract.types import Context, Exchange, NotApplicable

from ._check import ALL_KINDS, AUTH_KINDS, check
from ._violations import AuthNotEnforced, SecretEchoed, UnknownLogFound


@check(kinds={"unknown_log"})
def unknown_log_not_found(exchange: Exchange, ctx: Context) -> None:
    """A PATCH of a log that does not exist never succeeds (nor crashes)."""
    status = exchange.response.status
    if status == 429:
        raise NotApplicable("the target answered 429 (rate limited)")
    if 200 <= status < 300 or status >= 500:
        raise UnknownLogFound(f"a PATCH of a log that does not exist got {status}, expected 404")


@check(kinds=AUTH_KINDS)
def auth_enforced(exchange: Exchange, ctx: Context) -> None:
    """A request without a valid API key (none, a wrong one, a near miss) never succeeds."""
    status = exchange.response.status
    if status == 429:
        raise NotApplicable("the target answered 429 (rate limited)")
    if 200 <= status < 300:
        raise AuthNotEnforced(
            f"a PATCH with {_which_key(exchange)} got {status}, expected 401 or 403"
        )


def _which_key(exchange: Exchange) -> str:
    # Near misses are named by variant only: their value is a form of the secret.
    if exchange.kind == "auth_missing":
        return "no API key"
    if exchange.kind == "auth_near_miss":
        return f"a near-miss API key ({exchange.variant or 'unnamed variant'})"
    return "a wrong API key"


@check(kinds=ALL_KINDS)
def no_secret_echoed(exchange: Exchange, ctx: Context) -> None:
    """The API key appears nowhere in the response: not in its body, not in a header."""
    key = ctx.api_key
    if contains_secret(exchange.response.content, key):
        raise SecretEchoed("the API key appears in the response body")
    for name, value in exchange.response.headers.items():
        if contains_secret(value, key):
            shown = "a header" if contains_secret(name, key) else f"header {name!r}"
            raise SecretEchoed(f"the API key appears in the response's {shown}")
