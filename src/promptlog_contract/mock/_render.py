"""Turning stored logs into 200 bodies, and the faults that bend those bodies.

Rendering works on a :class:`LogView` copy, never on the store's own dicts:
the faults here rewrite the body (reverse lists, decode strings), and that
must not leak back into what is stored.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from starlette.responses import Response

from ._faults import Faults, SimulatedCrash
from ._models import DATETIME_FIELDS
from ._store import JSONMap, LogView

_PROMPT_DATETIMES = ("created_at", "updated_at", "last_used_at")


def json_response(content: Any, status: int = 200) -> Response:
    """JSON exactly as Starlette writes it; a value JSON cannot hold is a crash (500)."""
    try:
        body = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:  # NaN or infinity stored under the `store_nan` fault
        raise SimulatedCrash("stored log cannot be serialised") from exc
    return Response(body.encode(), status, media_type="application/json")


def render_log(view: LogView, faults: Faults, *, as_tool: bool = False) -> JSONMap:
    """The PromptLogResponse of `view` (a ToolLogResponse if `as_tool`)."""
    body: JSONMap = {"id": view.id, **view.fields, "prompt": view.prompt, "evaluator_logs": []}
    if as_tool:
        body["tool"] = _tool_response(body.pop("prompt"))
    if faults.any_render:
        body = copy.deepcopy(body)
        _bend(body, faults)
    return body


def _tool_response(prompt: JSONMap) -> JSONMap:
    suffix = str(prompt["id"]).removeprefix("pr_")
    return {
        "path": prompt["path"],
        "id": f"tl_{suffix}",
        "name": prompt["name"],
        "version_id": f"tlv_{suffix}",
        "type": "tool",
        "environments": [],
        **{key: prompt[key] for key in _PROMPT_DATETIMES},
        "version_logs_count": prompt["version_logs_count"],
        "total_logs_count": prompt["total_logs_count"],
        "inputs": prompt["inputs"],
    }


def _messages(body: JSONMap) -> list[JSONMap]:
    found = [body.get("output_message"), *(body.get("messages") or [])]
    return [message for message in found if isinstance(message, dict)]


def _bend(body: JSONMap, faults: Faults) -> None:
    if faults.drop_evaluator_logs:
        body.pop("evaluator_logs", None)
    if faults.prompt_tokens_as_string and body.get("prompt_tokens") is not None:
        body["prompt_tokens"] = str(body["prompt_tokens"])
    if faults.naive_datetimes:
        for owner, keys in ((body, DATETIME_FIELDS), (body.get("prompt") or {}, _PROMPT_DATETIMES)):
            for key in keys:
                if isinstance(owner.get(key), str):
                    owner[key] = owner[key].removesuffix("Z")
    for message in _messages(body):
        if faults.reverse_thinking_blocks and isinstance(message.get("thinking"), list):
            message["thinking"].reverse()
        if faults.tool_call_arguments_as_object:
            for call in message.get("tool_calls") or []:
                _decode_arguments(call)


def _decode_arguments(call: Any) -> None:
    function = call.get("function") if isinstance(call, dict) else None
    if isinstance(function, dict) and isinstance(function.get("arguments"), str):
        try:
            decoded = json.loads(function["arguments"])
        except ValueError:
            return
        if isinstance(decoded, dict):
            function["arguments"] = decoded
