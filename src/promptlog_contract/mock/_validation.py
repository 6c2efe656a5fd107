"""Request-body parsing and FastAPI-shaped validation errors.

The mock parses bodies with pydantic's Rust JSON parser (`model_validate_json`)
instead of FastAPI's body machinery: it is several times faster, and its
recursion limit turns absurdly nested JSON into a 422 instead of a crash. The
errors are then written in exactly the shape FastAPI's default handler uses
(`{"detail": [{"type", "loc", "msg", "input", "ctx"?}]}`, `loc` starting at
`"body"`), so clients see what a FastAPI production server would send.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from ._faults import Faults
from ._render import json_response

ModelT = TypeVar("ModelT", bound=BaseModel)
ErrorList = list[dict[str, Any]]


class InvalidRequest(Exception):
    """The request failed validation; carries FastAPI-shaped error entries."""

    def __init__(self, errors: ErrorList) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


def _is_json(content_type: str | None) -> bool:
    # FastAPI parses the body as JSON when the type is absent, application/json or */*+json.
    if not content_type:
        return True
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (
        main.startswith("application/") and main.endswith("+json")
    )


def parse_body(
    model: type[ModelT], raw: bytes, content_type: str | None, context: dict[str, Faults] | None
) -> ModelT:
    """Validate `raw` as `model`, or raise :class:`InvalidRequest` with FastAPI-shaped errors."""
    if not raw:
        raise InvalidRequest(
            [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
        )
    if not _is_json(content_type):
        raise InvalidRequest(
            [
                {
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": raw.decode("utf-8", "replace"),
                }
            ]
        )
    try:
        return model.model_validate_json(raw, context=context)
    except ValidationError as exc:
        raise InvalidRequest(fastapi_errors(exc, raw)) from None


def _decode_error_position(raw: bytes) -> int | None:
    try:
        json.loads(raw)
    except json.JSONDecodeError as exc:
        return exc.pos
    except (RecursionError, ValueError):
        return None
    return None


def fastapi_errors(exc: ValidationError, raw: bytes) -> ErrorList:
    """Rewrite pydantic errors as FastAPI's handler would: `loc` prefixed with "body"."""
    errors: ErrorList = []
    for error in exc.errors(include_url=False):
        if error["type"] == "json_invalid":
            position = _decode_error_position(raw)
            return [
                {
                    "type": "json_invalid",
                    "loc": ["body"] if position is None else ["body", position],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": str(error.get("ctx", {}).get("error", "invalid JSON"))},
                }
            ]
        entry: dict[str, Any] = {
            "type": error["type"],
            "loc": ["body", *error["loc"]],
            "msg": error["msg"],
            "input": jsonable(error["input"]),
        }
        if "ctx" in error:
            entry["ctx"] = jsonable(error["ctx"])
        errors.append(entry)
    return errors


def jsonable(value: Any) -> Any:
    """`value` with everything JSON cannot hold (NaN, bytes, exceptions) turned into strings."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def validation_response(errors: ErrorList, headers: Mapping[str, str], faults: Faults) -> Response:
    """The 422 response for `errors`, bent by whichever error-format faults are on."""
    status = 400 if faults.status_400_for_validation else 422
    if faults.plain_text_422:
        return Response(b"Unprocessable Entity", status, media_type="text/plain")
    if faults.foreign_422_envelope:
        # Another framework's error middleware: same status, a shape no FastAPI client reads.
        foreign = [
            {"field": ".".join(map(str, error["loc"][1:])) or "body", "message": error["msg"]}
            for error in errors
        ]
        return json_response({"error": "Unprocessable Entity", "errors": foreign}, status)
    if faults.flat_error_loc:
        errors = [{**error, "loc": ".".join(map(str, error["loc"]))} for error in errors]
    body: dict[str, Any] = {"detail": errors}
    if faults.echo_api_key:
        body["debug"] = {"headers": dict(headers)}
    return json_response(body, status)
