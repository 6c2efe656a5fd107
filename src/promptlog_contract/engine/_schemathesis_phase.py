"""The Schemathesis phase: its generator and its response checks, our safety rules and findings.

Schemathesis draws bodies from `contracts/openapi.yaml` (positive and negative
modes) for the PATCH operation only, with the path bound to a scratch log.
Requests go through our `Target` (rate limit, budget, breaker, redaction);
its response checks run beside ours and land in the same results. Its
`positive_data_acceptance` and `negative_data_rejection` are not run: they
judge lax frameworks without our labelled bodies and raise false alarms
(contract AMBIGUITIES A4); our engine covers both rules precisely.

Its cases cost 20-35 ms each to draw, half of a cold run when drawn here
serially with sending: `prepare` starts drawing them in a drawing process when
the run starts (seeded, so cached like the bodies), and the phase only sends
and judges them. The path parameters are constants of the strategy (they
draw nothing), so cases drawn for placeholder ids are the cases drawn for the
scratch log, which the phase binds before sending.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from typing import Any

import httpx

from promptlog_contract import contract
from promptlog_contract.types import Exchange, HttpRequest, HttpResponse, Violation

from . import _ahead, _cache
from ._drawing import chunk_seed, draw_batch
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


_PLACEHOLDERS = {"id": "promptlog-contract-prompt", "log_id": "promptlog-contract-log"}


@cache
def _operation() -> Any:
    import schemathesis  # about 0.4 s to import: only runs with this phase pay it

    schema = schemathesis.openapi.from_path(contract.openapi_path())
    return schema.find_operation_by_id(contract.OPERATION_ID)


def _as_json(body: Any) -> dict[str, Any]:
    from schemathesis.core import NotSet

    if isinstance(body, NotSet):
        return {"absent": True}
    if isinstance(body, bytes):
        return {"bytes": base64.b64encode(body).decode("ascii")}
    return {"json": body}


#: Cases per drawing task: the phase's cases are drawn in parts, several processes at once.
PART = 15
Cases = list["_ahead.Pending[list[dict[str, Any]]]"]


def parts(max_examples: int) -> list[tuple[str, int, int]]:
    """(generation mode, part index, cases) of the phase: max_examples positive, half negative."""
    out: list[tuple[str, int, int]] = []
    for mode, total in (("positive", max_examples), ("negative", max_examples // 2)):
        out += [
            (mode, i, min(PART, total - start)) for i, start in enumerate(range(0, total, PART))
        ]
    return out


def _draw_cases(mode: str, n: int, seed: int) -> list[dict[str, Any]]:
    import schemathesis

    strategy = _operation().as_strategy(
        schemathesis.GenerationMode(mode), path_parameters=_PLACEHOLDERS
    )
    return [
        {"mode": mode, "media_type": case.media_type, **_as_json(case.body)}
        for case in draw_batch(strategy, n, seed)
    ]


def cases_json(mode: str, index: int, n: int, seed: int, persist: bool = True) -> str:
    """One part's seeded cases as JSON text, from the cache when present (drawing processes)."""
    part_seed = chunk_seed(seed, index)
    if not persist:
        return json.dumps(_draw_cases(mode, n, part_seed))
    material = _material(mode, n, part_seed)
    return json.dumps(
        _cache.remember("schemathesis", material, lambda: _draw_cases(mode, n, part_seed))
    )


def _material(mode: str, n: int, part_seed: int) -> list[Any]:
    spec = hashlib.sha256(contract.openapi_path().read_bytes()).hexdigest()
    return [mode, n, part_seed, spec, version("schemathesis")]


def prepare(max_examples: int, seed: int, *, persist: bool = True) -> Cases:
    """Start drawing the phase's cases, part by part, in drawing processes (for the phase).

    Schemathesis and the schema are loaded here too, while the first batches
    are drawn elsewhere, not in the phase's share of a time budget.
    """
    cases = [
        _ahead.call(
            cases_json,
            mode,
            index,
            n,
            seed,
            persist,
            decode=lambda items: items,
            later=True,  # behind the first round's bodies, see _schedule.bodies
            local=persist
            and _cache.has("schemathesis", _material(mode, n, chunk_seed(seed, index))),
        )
        for mode, index, n in parts(max_examples)
    ]
    _operation()
    return cases


def _content(case: dict[str, Any]) -> bytes | None:
    """What goes on the wire: nothing, the raw bytes, or the JSON body encoded."""
    if case.get("absent"):
        return None
    if "bytes" in case:
        return base64.b64decode(case["bytes"])
    return json.dumps(case["json"]).encode()


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
    target: Target,
    recorder: Recorder,
    log: ScratchLog,
    *,
    max_examples: int,
    seed: int,
    cases: Cases | None = None,
) -> int:
    """Send Schemathesis-drawn bodies and judge them with its checks and ours; return count.

    `cases` is what `prepare(max_examples, seed)` started; without it they are drawn now.
    """
    import schemathesis
    from schemathesis.checks import CHECKS

    operation = _operation()
    path = log.path
    params = {"id": log.prompt_id, "log_id": log.log_id}
    names = {
        schemathesis.GenerationMode.POSITIVE.value: POSITIVE_CHECKS,
        schemathesis.GenerationMode.NEGATIVE.value: NEGATIVE_CHECKS,
    }
    checks = {name: CHECKS.get_by_names([name]) for name in POSITIVE_CHECKS}
    sent = 0
    for item in (item for part in cases or prepare(max_examples, seed) for item in part.result()):
        content = _content(item)
        body = content if "bytes" in item else item.get("json", schemathesis.core.NOT_SET)
        case = operation.Case(
            method="PATCH", path_parameters=params, body=body, media_type=item["media_type"]
        )
        request, response = target.request("PATCH", path, content=content)
        sent += 1
        exchange = Exchange("open", request, response, sent=None, phase="schemathesis")
        recorder.judge(exchange)
        as_httpx = _as_httpx(request, response)
        for name in names[item["mode"]]:
            fns = checks[name]
            violation = _validate(case, as_httpx, fns)

            def rejudge(again: Exchange, case: Any = case, fns: Any = fns) -> bool:
                return _validate(case, _as_httpx(again.request, again.response), fns) is not None

            recorder.record_external(RULE_PREFIX + name, exchange, violation, rejudge)
    return sent


def rejudge_for(rule: str, body: Any, log: ScratchLog) -> Callable[[Exchange], bool]:
    """A re-judge of `rule` (a `schemathesis:` check) for a re-sent body: True if it still fails.

    `replay` has no Schemathesis case left from the run, so it rebuilds one
    from the recorded body and the fresh log's ids, and runs the same check.
    """
    from schemathesis.checks import CHECKS

    operation = _operation()
    params = {"id": log.prompt_id, "log_id": log.log_id}
    kwargs: dict[str, Any] = {"path_parameters": params, "media_type": "application/json"}
    if body is not None:
        kwargs["body"] = body
    case = operation.Case(**kwargs)
    fns = CHECKS.get_by_names([rule.removeprefix(RULE_PREFIX)])

    def rejudge(again: Exchange) -> bool:
        return _validate(case, _as_httpx(again.request, again.response), fns) is not None

    return rejudge
