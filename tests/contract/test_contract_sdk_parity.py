"""The contract agrees with SDK 0.8.38, its main source, except where it says it does not.

contracts/SOURCES.md was read off `humanloop==0.8.38` by hand; these tests read the
installed SDK (a test dependency) and compare field names, required fields and
the update_log signature with the contract, so a slip in transcription or a
later edit of the YAML shows up here. The deliberate deviations are listed in
REQUIRED_TAGS with the reason.
"""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path
from typing import Any

import humanloop.requests as sdk_requests
import humanloop.types as sdk
import pydantic
import pytest
from humanloop.prompts.raw_client import RawPromptsClient

from promptlog_contract import contract

EXAMPLES = Path(__file__).parent / "examples"

#: contract schema -> SDK response model (same name unless listed).
RESPONSE_MODELS: dict[str, str] = {
    name: name
    for name in (
        *contract.UNION_MEMBERS,
        "PromptResponse",
        "ToolResponse",
        "EvaluatorResponse",
        "FlowResponse",
        "AgentResponse",
        "EnvironmentResponse",
        "ToolFunction",
        "LinkedToolResponse",
        "ResponseFormat",
        "EvaluatorAggregate",
        "MonitoringEvaluatorResponse",
        "InputResponse",
        "VersionDeploymentResponse",
        "VersionIdResponse",
        "AgentLinkedFileResponse",
        "AgentInlineTool",
        "LinkedFileRequest",
        "LlmEvaluatorRequest",
        "CodeEvaluatorRequest",
        "HumanEvaluatorRequest",
        "ExternalEvaluatorRequest",
        "EvaluatorJudgmentOptionResponse",
        "EvaluatorJudgmentNumberLimit",
        "CreatePromptLogResponse",
        "ValidationError",
        "FunctionToolChoice",
    )
} | {
    "ChatMessageResponse": "ChatMessage",
    "TextChatContentResponse": "TextChatContent",
    "ImageChatContentResponse": "ImageChatContent",
    "ImageUrlResponse": "ImageUrl",
    "ToolCallResponse": "ToolCall",
    "FunctionToolResponse": "FunctionTool",
    "ToolChoiceResponse": "ToolChoice",
    "AnthropicThinkingContentResponse": "AnthropicThinkingContent",
    "AnthropicRedactedThinkingContentResponse": "AnthropicRedactedThinkingContent",
    "HTTPValidationError": "HttpValidationError",
}

#: Tags the SDK defaults but the contract requires: these File-level unions are
#: discriminated (`oneOf` + `discriminator`), as in the 2024 document, and an
#: evaluator spec cannot be told apart without its tag.
REQUIRED_TAGS: dict[str, set[str]] = {
    "VersionDeploymentResponse": {"type"},
    "VersionIdResponse": {"type"},
    "AgentLinkedFileResponse": {"type"},
    "AgentInlineTool": {"type"},
    "LlmEvaluatorRequest": {"evaluator_type"},
    "CodeEvaluatorRequest": {"evaluator_type"},
    "HumanEvaluatorRequest": {"evaluator_type"},
    "ExternalEvaluatorRequest": {"evaluator_type"},
}

#: contract schema -> SDK request TypedDict.
REQUEST_TYPEDDICTS = {
    name: f"{name}Params"
    for name in (
        "ChatMessage",
        "TextChatContent",
        "ImageChatContent",
        "ImageUrl",
        "ToolCall",
        "FunctionTool",
        "ToolChoice",
        "FunctionToolChoice",
        "AnthropicThinkingContent",
        "AnthropicRedactedThinkingContent",
    )
}


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = contract.openapi_document()["components"]["schemas"][name]
    return schema


def _wire_names(model: type[pydantic.BaseModel]) -> tuple[set[str], set[str]]:
    """(all, required) field names as they appear on the wire (`schema_` is `schema`)."""
    wire = {name: name.rstrip("_") for name in model.model_fields}
    required = {wire[name] for name, field in model.model_fields.items() if field.is_required()}
    return set(wire.values()), required


@pytest.mark.parametrize(("schema", "model"), RESPONSE_MODELS.items())
def test_response_schema_fields_match_sdk_model(schema: str, model: str) -> None:
    fields, required = _wire_names(getattr(sdk, model))
    mine = _schema(schema)
    assert set(mine["properties"]) == fields
    assert set(mine.get("required", [])) == required | REQUIRED_TAGS.get(schema, set())


@pytest.mark.parametrize(("schema", "typeddict"), REQUEST_TYPEDDICTS.items())
def test_request_schema_fields_match_sdk_typeddict(schema: str, typeddict: str) -> None:
    params = getattr(sdk_requests, typeddict)
    mine = _schema(schema)
    assert set(mine["properties"]) == set(params.__required_keys__ | params.__optional_keys__)
    assert set(mine.get("required", [])) == set(params.__required_keys__)


def test_request_fields_follow_update_log_signature() -> None:
    signature = inspect.signature(RawPromptsClient.update_log)
    sent = [n for n in signature.parameters if n not in ("self", "id", "log_id", "request_options")]
    assert tuple(sent) == contract.request_fields()


def test_every_union_member_is_in_the_sdk_union() -> None:
    members = typing.get_args(sdk.LogResponse)
    names = tuple(m.__forward_arg__ if isinstance(m, typing.ForwardRef) else m for m in members)
    assert names == contract.UNION_MEMBERS


@pytest.mark.parametrize(
    ("fixture", "member"),
    [
        ("docs_prompt_log_response", "PromptLogResponse"),
        ("realistic_prompt_log_response", "PromptLogResponse"),
        ("minimal_prompt_log_response", "PromptLogResponse"),
        ("minimal_tool_log_response", "ToolLogResponse"),
        ("minimal_evaluator_log_response", "EvaluatorLogResponse"),
        ("minimal_flow_log_response", "FlowLogResponse"),
        ("minimal_agent_log_response", "AgentLogResponse"),
    ],
)
def test_fixtures_are_valid_for_the_sdk_too(fixture: str, member: str) -> None:
    # Guards the fixtures themselves: a fixture the SDK rejects proves nothing.
    body = json.loads((EXAMPLES / f"{fixture}.json").read_text(encoding="utf-8"))
    getattr(sdk, member).model_validate(body)
