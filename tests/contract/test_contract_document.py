"""The contract document itself: valid OpenAPI 3.1, valid 2020-12 schemas, none of S2's defects.

Every other layer trusts contracts/openapi.yaml; these tests are what make that
trust reasonable. The defect tests pin the corrections listed in
contracts/SOURCES.md ("OpenAPI 2024"), so that regenerating or hand-editing the document from
the 2024 original cannot quietly bring a defect back.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from promptlog_contract import contract

DOCUMENTED_FIELDS = (
    "output_message",
    "prompt_tokens",
    "reasoning_tokens",
    "output_tokens",
    "prompt_cost",
    "output_cost",
    "finish_reason",
    "messages",
    "tool_choice",
    "output",
    "created_at",
    "error",
    "provider_latency",
    "stdout",
    "provider_request",
    "provider_response",
    "inputs",
    "source",
    "metadata",
    "start_time",
    "end_time",
)


def _doc() -> dict[str, Any]:
    return contract.openapi_document()


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = _doc()["components"]["schemas"]
    return schemas


def _walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) pair in the document, depth first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, str(index)))


def _nullable(spec: dict[str, Any]) -> bool:
    types = spec.get("type", [])
    type_list = [types] if isinstance(types, str) else types
    return "null" in type_list or {"type": "null"} in spec.get("anyOf", [])


def test_document_is_valid_openapi_3_1() -> None:
    doc = _doc()
    assert doc["openapi"] == "3.1.0"
    assert doc["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    validate(doc)


@pytest.mark.parametrize("name", contract.schema_names())
def test_component_schema_is_valid_2020_12(name: str) -> None:
    Draft202012Validator.check_schema(contract.schema_for(name))


def test_every_ref_resolves() -> None:
    names = set(_schemas())
    refs = {value for path, value in _walk(_doc()) if path and path[-1] == "$ref"}
    assert refs, "the document has no $ref at all"
    dangling = {r for r in refs if r.removeprefix("#/components/schemas/") not in names}
    assert not dangling


def test_servers_security_and_operation_ids() -> None:
    doc = _doc()
    assert [s["url"] for s in doc["servers"]] == [
        "https://api.humanloop.com/v5",
        "http://127.0.0.1:8000/v5",
    ]
    assert doc["security"] == [{"APIKeyHeader": []}]
    scheme = doc["components"]["securitySchemes"]["APIKeyHeader"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-KEY")
    operation_ids = {
        (path, method): op["operationId"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert operation_ids == {
        (contract.PATCH_PATH, "patch"): "update_log_prompts__id__log__log_id__patch",
        ("/prompts/log", "post"): "log_prompts_log_post",
        ("/logs/{id}", "get"): "logs_get",
        ("/logs", "delete"): "logs_delete",
    }
    assert not any(path.startswith("/v5") for path in doc["paths"])


def test_patch_operation_shape() -> None:
    op = _doc()["paths"][contract.PATCH_PATH]["patch"]
    params = {p["name"]: p for p in op["parameters"]}
    assert set(params) == {"id", "log_id"}
    assert all(p["in"] == "path" and p["required"] for p in params.values())
    assert op["requestBody"]["required"] is True
    body = op["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PromptLogUpdateRequest"}

    def schema_of(status: str) -> Any:
        return op["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    assert set(op["responses"]) == {"200", "401", "404", "422"}
    assert schema_of("200") == "#/components/schemas/LogResponse"
    assert schema_of("422") == "#/components/schemas/HTTPValidationError"
    assert schema_of("401") == schema_of("404") == "#/components/schemas/ErrorResponse"


def test_delete_logs_takes_repeated_id_and_answers_204_without_body() -> None:
    op = _doc()["paths"]["/logs"]["delete"]
    (param,) = op["parameters"]
    assert (param["name"], param["in"], param["style"], param["explode"]) == (
        "id",
        "query",
        "form",
        True,
    )
    assert param["required"] is True
    assert param["schema"]["type"] == "array"
    assert "content" not in op["responses"]["204"]


# --- the defects of the 2024 document (SOURCES.md, OpenAPI 2024) are absent ----------


def test_log_response_is_a_bare_anyof_of_five_members() -> None:
    union = _schemas()["LogResponse"]
    assert set(union) <= {"anyOf", "description", "title"}
    assert [m["$ref"].rsplit("/", 1)[1] for m in union["anyOf"]] == list(contract.UNION_MEMBERS)


def test_no_schema_forbids_unknown_keys() -> None:
    closed = [
        "/".join(path)
        for path, value in _walk(_doc())
        if path and path[-1] == "additionalProperties" and value is False
    ]
    assert closed == []


@pytest.mark.parametrize(
    "name", ["PromptResponse", "ToolResponse", "EvaluatorResponse", "FlowResponse"]
)
def test_file_responses_do_not_require_status(name: str) -> None:
    assert "status" not in _schemas()[name].get("required", [])


def test_agent_response_requires_status_and_tools() -> None:
    assert {"status", "tools"} <= set(_schemas()["AgentResponse"]["required"])


def test_developer_role_exists() -> None:
    assert "developer" in _schemas()["ChatRole"]["enum"]


def test_newer_fields_exist() -> None:
    schemas = _schemas()
    assert "reasoning_tokens" in schemas["PromptLogUpdateRequest"]["properties"]
    assert "reasoning_tokens" in schemas["PromptLogResponse"]["properties"]
    assert "thinking" in schemas["ChatMessage"]["properties"]
    assert "thinking" in schemas["ChatMessageResponse"]["properties"]
    assert "deepseek" in schemas["ModelProviders"]["enum"]


def test_union_members_require_id_evaluator_logs_and_their_file() -> None:
    schemas = _schemas()
    for name, key in contract.MEMBER_KEYS.items():
        assert set(schemas[name]["required"]) == {"id", "evaluator_logs", key}, name


def test_request_has_no_required_and_no_nullable_fields() -> None:
    request = _schemas()["PromptLogUpdateRequest"]
    assert request["type"] == "object"
    assert "required" not in request
    assert [name for name, spec in request["properties"].items() if _nullable(spec)] == []


# --- field lists ------------------------------------------------------------------------


def test_request_fields_are_the_documented_ones_then_log_status() -> None:
    assert contract.request_fields() == (*DOCUMENTED_FIELDS, "log_status")


def test_documented_request_fields_exclude_sdk_only_log_status() -> None:
    assert contract.documented_request_fields() == DOCUMENTED_FIELDS
    log_status = _schemas()["PromptLogUpdateRequest"]["properties"]["log_status"]
    assert log_status["x-sdk-only"] is True
