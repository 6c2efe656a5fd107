"""The one module that knows where the contract lives, loads it, and compiles validators.

Everything else asks this module for a validator by schema name, so there is a
single place that decides which JSON Schema dialect, which format checks and
which copy of `contracts/` (the repository's or the installed package data) is
in force.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

#: The five members of the 200 response union, in the SDK's order.
UNION_MEMBERS: tuple[str, ...] = (
    "PromptLogResponse",
    "ToolLogResponse",
    "EvaluatorLogResponse",
    "FlowLogResponse",
    "AgentLogResponse",
)
#: The key that tells each union member apart (its required nested File).
MEMBER_KEYS: dict[str, str] = {
    "PromptLogResponse": "prompt",
    "ToolLogResponse": "tool",
    "EvaluatorLogResponse": "evaluator",
    "FlowLogResponse": "flow",
    "AgentLogResponse": "agent",
}
REQUEST_SCHEMA = "PromptLogUpdateRequest"
UNION_SCHEMA = "LogResponse"
VALIDATION_ERROR_SCHEMA = "HTTPValidationError"
CREATE_LOG_RESPONSE_SCHEMA = "CreatePromptLogResponse"
#: The operation under test, as the OpenAPI document names it and where it lives.
OPERATION_ID = "update_log_prompts__id__log__log_id__patch"
PATCH_PATH = "/prompts/{id}/log/{log_id}"
#: The statuses the PATCH operation answers: the OpenAPI document's responses, and 413
#: for an oversized body (SOURCES.md, "Production stack behaviour"). The coverage matrix
#: lists them up front.
PATCH_STATUSES: tuple[int, ...] = (200, 401, 404, 413, 422)
#: The statuses a faithful server may answer each kind of exchange with (a raw
#: request carries its own); 403 for a bad key is the production stack's (SOURCES.md).
DOCUMENTED_STATUSES: Mapping[str, frozenset[int]] = {
    "valid": frozenset({200, 422}),
    "repeat": frozenset({200, 422}),
    "invalid": frozenset({200, 422}),
    "open": frozenset({200, 422}),
    "unknown_log": frozenset({404}),
    "auth_missing": frozenset({401, 403}),
    "auth_wrong": frozenset({401, 403}),
    "auth_near_miss": frozenset({401, 403}),
    "concurrent": frozenset({200, 422}),
    "get": frozenset({200}),
    "concurrent_get": frozenset({200}),
    "sibling_get": frozenset({200}),
}


#: What an id may look like before it goes into a path: a conservative alphabet, no "..".
SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


class UnsafeId(ValueError):
    """An id that is not safe to put in a request path (it is never sent)."""


def safe_id(value: object, what: str = "id") -> str:
    """`value` percent-encoded for a path segment, or UnsafeId: ids are data, never paths."""
    if not isinstance(value, str) or not SAFE_ID.fullmatch(value) or ".." in value:
        shown = repr(value)[:80]
        raise UnsafeId(f"{what} {shown} is not a safe id ([A-Za-z0-9_.:-], 1-128, no '..')")
    return quote(value, safe=":")  # the alphabet needs no escaping: defence in depth


def patch_path(prompt_id: str, log_id: str) -> str:
    """The path (below the base URL) of one log's PATCH: PATCH_PATH filled in with safe ids."""
    return PATCH_PATH.format(id=safe_id(prompt_id, "prompt id"), log_id=safe_id(log_id, "log id"))


def log_path(log_id: str) -> str:
    """The path of GET /logs/{id} for one log, with a safe id."""
    return f"/logs/{safe_id(log_id, 'log id')}"


def member_of(body: Any) -> str | None:
    """Which union member a 200 body claims to be (by its distinguishing key)."""
    if not isinstance(body, dict):
        return None
    for name, key in MEMBER_KEYS.items():
        if key in body:
            return name
    return None


class ContractError(RuntimeError):
    """The contract files are missing or unreadable."""


class _NoDatesLoader(yaml.SafeLoader):
    """YAML loader that keeps timestamps as strings, as JSON would."""


_NoDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def contracts_dir() -> Path:
    """The repository's `contracts/` in a checkout, else the copy shipped in the wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "contracts", here / "contracts"):
        if (candidate / "openapi.yaml").is_file():
            return candidate
    raise ContractError("contracts/openapi.yaml not found (neither in the checkout nor installed)")


def openapi_path() -> Path:
    return contracts_dir() / "openapi.yaml"


@cache
def _openapi_bytes() -> bytes:
    try:
        return openapi_path().read_bytes()
    except OSError as exc:
        raise ContractError(f"cannot read the contract: {exc}") from exc


@cache
def openapi_document() -> dict[str, Any]:
    """The parsed OpenAPI document (do not mutate: it is shared)."""
    try:
        doc = yaml.load(_openapi_bytes(), Loader=_NoDatesLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ContractError(f"contracts/openapi.yaml is not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or "components" not in doc:
        raise ContractError("contracts/openapi.yaml has no components")
    return doc


def contract_hash() -> str:
    """sha256 of the contract file as shipped, so a report says which contract judged it."""
    return hashlib.sha256(_openapi_bytes()).hexdigest()


def schema_names() -> list[str]:
    return sorted(openapi_document()["components"]["schemas"])


def schema_for(name: str) -> dict[str, Any]:
    """A standalone JSON Schema (2020-12) for one component, its $refs resolvable."""
    components = openapi_document()["components"]
    if name not in components["schemas"]:
        raise KeyError(f"no schema named {name!r} in the contract")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": components,
    }


def _format_checker() -> FormatChecker:
    checker: FormatChecker = Draft202012Validator.FORMAT_CHECKER
    if "date-time" not in checker.checkers:
        raise ContractError("jsonschema cannot check date-time formats: install rfc3339-validator")
    return checker


@cache
def validator(name: str) -> Validator:
    """A compiled validator for one component schema, with format checks on."""
    return Draft202012Validator(schema_for(name), format_checker=_format_checker())


def request_validator() -> Validator:
    return validator(REQUEST_SCHEMA)


def member_validators() -> dict[str, Validator]:
    return {name: validator(name) for name in UNION_MEMBERS}


def create_log_response_validator() -> Validator:
    return validator(CREATE_LOG_RESPONSE_SCHEMA)


def closest_member(body: Any) -> tuple[str, list[str]]:
    """The union member a response most resembles, with its validation errors.

    The member whose distinguishing key is present wins; otherwise the member
    with the fewest errors.
    """
    scored: list[tuple[int, int, str, list[str]]] = []
    for index, (name, member) in enumerate(member_validators().items()):
        errors = [
            f"{'/'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
            for err in member.iter_errors(body)
        ]
        has_key = isinstance(body, dict) and MEMBER_KEYS[name] in body
        scored.append((0 if has_key else 1, len(errors) * 10 + index, name, errors))
    _, _, name, errors = min(scored)
    return name, errors


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of `summary.json` (contracts/schemas/report.schema.json)."""
    path = contracts_dir() / "schemas" / "report.schema.json"
    try:
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ContractError(f"cannot read {path.name}: {exc}") from exc
    return loaded


@cache
def request_fields() -> tuple[str, ...]:
    """The PATCH body's documented fields, in the contract's order (extensions included)."""
    props = openapi_document()["components"]["schemas"][REQUEST_SCHEMA]["properties"]
    return tuple(props)


@cache
def documented_request_fields() -> tuple[str, ...]:
    """The fields on the documentation page: request_fields() less SDK-only extensions."""
    props = openapi_document()["components"]["schemas"][REQUEST_SCHEMA]["properties"]
    return tuple(name for name, spec in props.items() if not spec.get("x-sdk-only"))


@cache
def _fast_validator(name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(schema_for(name), validate_formats=True)


def is_valid(name: str, body: Any) -> bool:
    """Whether `body` satisfies schema `name`: the engine's hot path.

    jsonschema-rs answers about 200-280 times faster than `jsonschema` on a
    realistic log (benchmarks/bench_engine.py); tests/contract proves the two
    agree on a corpus of valid and invalid bodies. Error messages still come
    from `validator(name)`, which explains failures best.
    """
    result: bool = _fast_validator(name).is_valid(body)
    return result
