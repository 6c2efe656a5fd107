"""The Schemathesis phase: its generator and its response checks, our safety rules and findings.

Schemathesis draws bodies from `contracts/openapi.yaml` (positive and negative
modes) for the PATCH operation only, with the path bound to a scratch log.
Requests go through our `Target` (rate limit, budget, breaker, redaction);
its response checks run beside ours and land in the same results. Its
`positive_data_acceptance` and `negative_data_rejection` are not run: they
judge lax frameworks without our labelled bodies and raise false alarms
(contract AMBIGUITIES A4); our engine covers both rules precisely.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import schemathesis
from schemathesis.checks import CHECKS

from promptlog_contract import contract
from promptlog_contract.types import Exchange, HttpRequest, HttpResponse, Violation

from ._drawing import draw_batch
from ._http import Target
from ._recorder import Recorder
from ._scratch import ScratchLog

POSITIVE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
NEGATIVE_CHECKS = ("not_a_server_error",)
RULE_PREFIX = "schemathesis:"


class SchemathesisFailure(Violation):
    """A Schemathesis check failed (its code and title are in the message)."""


def _as_httpx(request: HttpRequest, response: HttpResponse) -> httpx.Response:
    sent = httpx.Request(
        request.method, request.url, headers=dict(request.headers), content=request.content or b""
    )
    # The recorded content is already decoded: its encoding headers would make httpx decode again.
    headers = {
        k: v for k, v in response.headers.items() if k not in ("content-encoding", "content-length")
    }
    out = httpx.Response(response.status, headers=headers, content=response.content, request=sent)
    out.elapsed = datetime.timedelta(milliseconds=response.elapsed_ms)
    return out


def _encode(body: Any) -> bytes | None:
    if isinstance(body, schemathesis.core.NotSet):
        return None
    if isinstance(body, bytes):
        return body
    return json.dumps(body).encode()


def _describe(exc: BaseException) -> str:
    parts = []
    for failure in getattr(exc, "exceptions", [exc]):
        code = getattr(failure, "code", "")
        title = getattr(failure, "title", type(failure).__name__)
        message = str(getattr(failure, "message", "") or failure)
        parts.append(f"{code} {title}: {message}".strip()[:600])
    return "; ".join(parts)


def _validate(case: Any, response: httpx.Response, fns: Any) -> Violation | None:
    try:
        case.validate_response(response, checks=fns)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return SchemathesisFailure(_describe(exc))
    return None


def schemathesis_phase(
    target: Target, recorder: Recorder, log: ScratchLog, *, max_examples: int, seed: int
) -> int:
    """Send Schemathesis-drawn bodies and judge them with its checks and ours; return count."""
    schema = schemathesis.openapi.from_path(contract.openapi_path())
    operation = schema.find_operation_by_id(contract.OPERATION_ID)
    path = log.path
    params = {"id": log.prompt_id, "log_id": log.log_id}
    sent = 0
    for mode, names, n in (
        (schemathesis.GenerationMode.POSITIVE, POSITIVE_CHECKS, max_examples),
        (schemathesis.GenerationMode.NEGATIVE, NEGATIVE_CHECKS, max_examples // 2),
    ):
        checks = {name: CHECKS.get_by_names([name]) for name in names}
        cases = draw_batch(operation.as_strategy(mode, path_parameters=params), n, seed)
        for case in cases:
            body: Any = case.body
            content = _encode(body)
            request, response = target.request("PATCH", path, content=content)
            sent += 1
            exchange = Exchange("open", request, response, sent=None, phase="schemathesis")
            recorder.judge(exchange)
            as_httpx = _as_httpx(request, response)
            for name, fns in checks.items():
                violation = _validate(case, as_httpx, fns)

                def rejudge(again: Exchange, case: Any = case, fns: Any = fns) -> bool:
                    return (
                        _validate(case, _as_httpx(again.request, again.response), fns) is not None
                    )

                recorder.record_external(RULE_PREFIX + name, exchange, violation, rejudge)
    return sent
