"""The ASGI app: four endpoints of Humanloop's v5 API, in memory, production-shaped.

Routes are plain Starlette endpoints on a FastAPI app: the body is validated
with `model_validate_json` and errors are written in FastAPI's shape (see
`_validation`), which keeps the hot path short enough for >1,000 PATCH/s on
two cores. Order of checks: body size (middleware), API key, body, lookup.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ._faults import Faults, SimulatedCrash, parse_faults
from ._limits import BodySizeLimit
from ._models import DATETIME_FIELDS, MAP_FIELDS, CreateBody, UpdateBody, non_finite_errors
from ._render import json_response, render_log
from ._store import (
    CREATE_ONLY_FIELDS,
    UPDATE_FIELDS,
    LogView,
    NotFound,
    Store,
    UnknownLog,
    format_datetime,
)
from ._validation import InvalidRequest, parse_body, validation_response

JSONMap = dict[str, Any]
#: How long a `lost_update` PATCH holds its stale copy: a database round trip, long
#: enough that PATCHes sent together all read before any of them writes.
RACE_WINDOW_S = 0.01
#: The shortest prefix of a key the `loose_api_key` fault accepts.
_LOOSE_PREFIX = 8
_CREATE_FIELDS = (*UPDATE_FIELDS, *(f for f in CREATE_ONLY_FIELDS if f in CreateBody.model_fields))


class _Mock:
    """The endpoints, bound to one store, one set of keys and one set of faults."""

    def __init__(self, api_keys: tuple[str, ...], faults: Faults) -> None:
        self.api_keys = api_keys
        self.key_bytes = tuple(key.encode() for key in api_keys)
        self.faults = faults
        self.context = {"faults": faults} if faults.active else None
        self.store = Store(faults)

    def tenant(self, request: Request) -> str:
        key = request.headers.get("x-api-key")
        if key is None:
            if self.faults.auth_optional:
                return self.api_keys[0]
            raise HTTPException(401, "Missing API key: send it in the X-API-KEY header")
        sent = key.encode("utf-8", "surrogateescape")
        # Every key is compared, in constant time: no timing tells how much of a guess was right.
        matches = [hmac.compare_digest(sent, known) for known in self.key_bytes]
        if any(matches):
            return self.api_keys[matches.index(True)]
        if self.faults.loose_api_key:
            loose = _loose_match(key, self.api_keys)
            if loose is not None:
                return loose
        raise HTTPException(401, "Invalid API key")  # never echo the key

    def _dump(self, body: UpdateBody, free_form: tuple[str, ...]) -> JSONMap:
        dumped = body.model_dump(exclude_unset=True, warnings=False)
        if not self.faults.store_nan:
            errors = non_finite_errors(dumped, free_form)
            if errors:
                raise InvalidRequest(errors)
        for key in DATETIME_FIELDS:
            value = dumped.get(key)
            if value is not None:
                dumped[key] = format_datetime(value)
        return dumped

    async def create_log(self, request: Request) -> Response:
        tenant = self.tenant(request)
        raw = await request.body()
        try:
            body = parse_body(CreateBody, raw, request.headers.get("content-type"), self.context)
            dumped = self._dump(body, (*MAP_FIELDS, "prompt"))
        except InvalidRequest as exc:
            return validation_response(exc.errors, request.headers, self.faults)
        try:
            view = self.store.create_log(
                tenant,
                prompt_id=body.id,
                path=body.path,
                kernel=dumped.get("prompt"),
                version_id=request.query_params.get("version_id"),
                fields={key: dumped[key] for key in _CREATE_FIELDS if key in dumped},
            )
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        prompt = view.prompt
        return json_response(
            {
                "id": view.id,
                "prompt_id": prompt["id"],
                "version_id": prompt["version_id"],
                "session_id": None,
            }
        )

    async def update_log(self, request: Request) -> Response:
        tenant = self.tenant(request)
        raw = await request.body()
        try:
            body = parse_body(UpdateBody, raw, request.headers.get("content-type"), self.context)
            changes = self._dump(body, MAP_FIELDS)
        except InvalidRequest as exc:
            return validation_response(exc.errors, request.headers, self.faults)
        if self.faults.ignore_metadata:
            changes.pop("metadata", None)
        params = request.path_params
        try:
            if self.faults.lost_update:
                view = await self._racy_update(tenant, params["id"], params["log_id"], changes)
            else:
                view = self.store.update_log(tenant, params["id"], params["log_id"], changes)
        except UnknownLog:
            if self.faults.crash_on_unknown_log:
                raise SimulatedCrash("unknown log") from None
            raise HTTPException(404, "Log not found") from None
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return json_response(render_log(view, self.faults, as_tool=self.faults.tool_log_returned))

    async def _racy_update(
        self, tenant: str, prompt_id: str, log_id: str, changes: JSONMap
    ) -> LogView:
        # Read, wait for "the database", write the whole stale copy back: no lock, no merge.
        stale = self.store.read_fields(tenant, prompt_id, log_id)
        await asyncio.sleep(RACE_WINDOW_S)
        return self.store.write_fields(tenant, log_id, {**stale, **changes})

    async def get_log(self, request: Request) -> Response:
        tenant = self.tenant(request)
        try:
            view = self.store.get_log(tenant, request.path_params["id"])
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        return json_response(render_log(view, self.faults))

    async def delete_logs(self, request: Request) -> Response:
        tenant = self.tenant(request)
        ids = request.query_params.getlist("id")
        if not ids:
            missing = {
                "type": "missing",
                "loc": ["query", "id"],
                "msg": "Field required",
                "input": None,
            }
            return validation_response([missing], request.headers, self.faults)
        self.store.delete_logs(tenant, ids)
        return Response(status_code=204)


def _loose_match(key: str, known: tuple[str, ...]) -> str | None:
    """The `loose_api_key` fault: the key that `key` is "close enough" to, if any."""
    trimmed = key.strip().casefold()
    for real in known:
        folded = real.casefold()
        if trimmed.startswith(folded) or (
            len(trimmed) >= min(_LOOSE_PREFIX, len(folded)) and folded.startswith(trimmed)
        ):
            return real
    return None


async def _crash(request: Request, exc: Exception) -> Response:
    # What Starlette's ServerErrorMiddleware sends, minus the traceback in the server log.
    return PlainTextResponse("Internal Server Error", 500)


def create_app(
    *,
    api_keys: Sequence[str] = ("mock-key",),
    faults: Iterable[str] = (),
    max_body_bytes: int = 1_048_576,
) -> FastAPI:
    """Build the mock app (routes under `/v5`); an unknown fault name raises ``ValueError``."""
    keys = (api_keys,) if isinstance(api_keys, str) else tuple(api_keys)
    if not keys or not all(keys):
        raise ValueError("api_keys must hold at least one non-empty key")
    if max_body_bytes < 1:
        raise ValueError("max_body_bytes must be positive")
    mock = _Mock(keys, parse_faults(faults))
    app = FastAPI(
        title="promptlog-contract mock of the Humanloop v5 log endpoints",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_route("/v5/prompts/log", mock.create_log, methods=["POST"])
    app.add_route("/v5/prompts/{id}/log/{log_id}", mock.update_log, methods=["PATCH"])
    app.add_route("/v5/logs/{id}", mock.get_log, methods=["GET"])
    app.add_route("/v5/logs", mock.delete_logs, methods=["DELETE"])
    app.add_exception_handler(SimulatedCrash, _crash)
    app.add_middleware(BodySizeLimit, max_body_bytes=max_body_bytes)
    app.state.faults = mock.faults.active
    return app
