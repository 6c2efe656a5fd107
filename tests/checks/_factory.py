"""Hand-built exchanges for the check tests: faithful by default, broken by keyword."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from promptlog_contract.types import (
    NOT_JSON,
    Context,
    Exchange,
    ExchangeKind,
    HttpRequest,
    HttpResponse,
    Label,
    RawRequest,
)

API_KEY = "hl_sk_test_0123456789abcdef"
CTX = Context(api_key=API_KEY)
STRICT = Context(api_key=API_KEY, strict=True)
URL = "http://127.0.0.1:8000/v5/prompts/pr_1/log/log_1"
JSON_HEADERS: Mapping[str, str] = {"content-type": "application/json"}

#: The SDK's minimal valid PromptLogResponse (contracts/SOURCES.md, "SDK").
_MINIMAL_PROMPT_LOG: dict[str, Any] = {
    "id": "log_1",
    "evaluator_logs": [],
    "prompt": {
        "path": "p",
        "id": "pr_1",
        "model": "gpt-4o",
        "name": "p",
        "version_id": "prv_1",
        "created_at": "2025-05-01T12:00:00Z",
        "updated_at": "2025-05-01T12:00:00Z",
        "last_used_at": "2025-05-01T12:00:00Z",
        "version_logs_count": 0,
        "total_logs_count": 0,
        "inputs": [],
    },
}


def prompt_log(**fields: Any) -> dict[str, Any]:
    """A fresh minimal PromptLogResponse with `fields` set on top."""
    log = copy.deepcopy(_MINIMAL_PROMPT_LOG)
    log.update(fields)
    return log


def validation_error(*locs: list[str | int]) -> dict[str, Any]:
    """A FastAPI-style 422 body with one error per `loc`."""
    return {
        "detail": [{"loc": loc, "msg": "Input is invalid", "type": "value_error"} for loc in locs]
    }


def exchange(
    kind: ExchangeKind = "valid",
    *,
    status: int = 200,
    body: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str] = JSON_HEADERS,
    sent: Any = None,
    label: Label | None = None,
    raw: RawRequest | None = None,
    before: Mapping[str, Any] | None = None,
    first: Mapping[str, Any] | None = None,
    patched: Mapping[str, Any] | None = None,
    concurrent: tuple[Mapping[str, Any], ...] | None = None,
    variant: str | None = None,
    control: Mapping[str, Any] | None = None,
) -> Exchange:
    """An exchange of `kind`; the response body defaults to a minimal prompt log on 200."""
    if body is None and status == 200:
        body = prompt_log()
    if content is None:
        content = b"" if body is NOT_JSON else json.dumps(body).encode()
    method = "GET" if kind in ("get", "concurrent_get", "sibling_get") else "PATCH"
    request = HttpRequest(
        method=method,
        url=URL,
        headers={"x-api-key": "[redacted]", "content-type": "application/json"},
        content=None if sent is None else json.dumps(sent).encode(),
    )
    response = HttpResponse(status=status, headers=dict(headers), content=content, body=body)
    return Exchange(
        kind=kind,
        request=request,
        response=response,
        sent=sent,
        label=label,
        raw=raw,
        before=before,
        first=first,
        patched=patched,
        concurrent=concurrent,
        variant=variant,
        control=control,
    )
