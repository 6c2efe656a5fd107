"""Rules about the status line and the Content-Type: did the server answer as documented?

These judge only the status and headers, so they apply to every kind of
exchange, including byte-level requests whose bodies are not JSON.
"""

from __future__ import annotations

import re

from promptlog_contract import contract
from promptlog_contract.types import Context, Exchange, NotApplicable

from ._check import ALL_KINDS, LOG_KINDS, check
from ._violations import (
    InvalidBodyAccepted,
    ResponseTooLarge,
    ServerError,
    UndocumentedStatus,
    ValidBodyRejected,
    WrongContentType,
)

#: The runner retries 429 itself; no rule judges it.
TOO_MANY_REQUESTS = 429
_JSON_MEDIA_TYPE = re.compile(r"application/(?:[^/;\s]+\+)?json")


def not_rate_limited(exchange: Exchange) -> None:
    """Raise NotApplicable for a 429: the answer says nothing about the rule."""
    if exchange.response.status == TOO_MANY_REQUESTS:
        raise NotApplicable("the target answered 429 (rate limited)")


def documented_statuses(exchange: Exchange) -> frozenset[int] | None:
    """The statuses a faithful server may answer this exchange with; None if unjudged."""
    if exchange.kind == "raw":
        return exchange.raw.expected_statuses if exchange.raw is not None else None
    return contract.DOCUMENTED_STATUSES.get(exchange.kind)


@check(kinds=ALL_KINDS)
def not_a_server_error(exchange: Exchange, ctx: Context) -> None:
    """The server never answers with a 5xx status."""
    status = exchange.response.status
    if status >= 500:
        raise ServerError(f"server error {status} for a {exchange.kind} request")


@check(kinds=ALL_KINDS)
def status_code_documented(exchange: Exchange, ctx: Context) -> None:
    """The status is one the contract documents for this kind of request."""
    status = exchange.response.status
    not_rate_limited(exchange)  # the runner retries 429 itself
    if status >= 500:
        raise NotApplicable("a 5xx status is not_a_server_error's to judge")
    allowed = documented_statuses(exchange)
    if allowed is None:
        raise NotApplicable(f"no documented statuses for a {exchange.kind} request")
    if status not in allowed:
        raise UndocumentedStatus(
            f"status {status} is not documented for a {exchange.kind} request "
            f"(documented: {sorted(allowed)})"
        )


@check(kinds=LOG_KINDS)
def content_type_json(exchange: Exchange, ctx: Context) -> None:
    """A 200 or 422 response declares a JSON media type in Content-Type."""
    if exchange.response.status not in (200, 422):
        raise NotApplicable(f"status {exchange.response.status} (judged on 200 and 422)")
    declared = exchange.response.content_type
    media_type = declared.split(";", 1)[0].strip().lower()
    if not _JSON_MEDIA_TYPE.fullmatch(media_type):
        raise WrongContentType(
            f"a {exchange.response.status} response has Content-Type {declared!r}, "
            "expected application/json"
        )


@check(kinds=ALL_KINDS)
def response_size_bounded(exchange: Exchange, ctx: Context) -> None:
    """A response body fits in the size cap (decompressed); a bigger one is not read to its end."""
    response = exchange.response
    if response.oversize:
        raise ResponseTooLarge(
            f"response too large: {response.problem or 'the body exceeds the size cap'}"
        )


@check(kinds={"valid", "repeat", "concurrent"})
def valid_body_accepted(exchange: Exchange, ctx: Context) -> None:
    """A contract-valid body is accepted with 200."""
    status = exchange.response.status
    not_rate_limited(exchange)
    if status == 200:
        return
    raise ValidBodyRejected(
        f"a contract-valid body got {status} instead of 200{_first_error(exchange)}"
    )


@check(kinds={"invalid"})
def invalid_body_rejected(exchange: Exchange, ctx: Context) -> None:
    """A body that breaks the contract never gets a 2xx (lax coercions: a warning)."""
    status = exchange.response.status
    label = exchange.label
    not_rate_limited(exchange)
    if label is None:
        raise NotApplicable("the body carries no label of the rule it breaks")
    if not 200 <= status < 300:
        return
    where = "/".join(str(part) for part in label.path) or "<body>"
    lax = label.severity == "lax-coercible"
    kind = f" with a {label.kind} value" if label.kind else ""
    raise InvalidBodyAccepted(
        f"a body breaking {label.rule!r} at {where}{kind} got {status}"
        + (" (the production framework coerces this leniently)" if lax else ""),
        warning=lax and not ctx.strict,
    )


def _first_error(exchange: Exchange) -> str:
    """': loc: msg' of the first 422 error, when there is one to quote."""
    body = exchange.response.body
    detail = body.get("detail") if isinstance(body, dict) else None
    if not isinstance(detail, list) or not detail or not isinstance(detail[0], dict):
        return ""
    first = detail[0]
    loc = first.get("loc")
    where = "/".join(str(p) for p in loc) if isinstance(loc, list) else "?"
    return f": {where}: {str(first.get('msg', ''))[:120]}"
