"""The mock's own pydantic request models, written from the contract notes by hand.

They deliberately do not reuse the suite's schemas or validators: a mock that
shares the suite's idea of the contract cannot disagree with it and so proves
nothing. Validation is pydantic v2 in lax mode, as the production stack is
(contracts/SOURCES.md, "Production stack"). Faults that loosen or tighten validation read the
:class:`Faults` passed as validation context, so one set of classes serves
every fault combination.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._faults import NO_FAULTS, Faults, SimulatedCrash

JSONMap = dict[str, Any]
#: The free-form map fields of a log; pydantic does not check the numbers inside them.
MAP_FIELDS = ("provider_request", "provider_response", "inputs", "metadata")
#: The date-time fields of a log; stored as RFC 3339 UTC strings.
DATETIME_FIELDS = ("created_at", "start_time", "end_time")


def _faults(info: ValidationInfo) -> Faults:
    context = info.context
    if not context:
        return NO_FAULTS
    faults: Faults = context["faults"]
    return faults


def _role(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    faults = _faults(info)
    try:
        role = handler(value)
    except ValidationError:
        if faults.accept_unknown_role and isinstance(value, str):
            return value
        raise
    if role == "developer" and faults.reject_developer_role:
        expected = "'user', 'assistant', 'system' or 'tool'"
        raise PydanticCustomError(
            "literal_error", "Input should be {expected}", {"expected": expected}
        )
    return role


def _tool_choice(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    try:
        return handler(value)
    except ValidationError:
        if _faults(info).accept_bad_tool_choice and isinstance(value, str):
            return value
        raise


def _finite(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        if (
            _faults(info).store_nan
            and isinstance(value, float)
            and all(error["type"] == "finite_number" for error in exc.errors())
        ):
            return value
        raise


def _count(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    try:
        return handler(value)
    except ValidationError as exc:
        if (
            _faults(info).truncate_fractional_counts
            and isinstance(value, float)
            and math.isfinite(value)
            and all(error["type"] == "int_from_float" for error in exc.errors())
        ):
            return int(value)  # what int(1.5) does: silently 1
        raise


def _utc(value: datetime, info: ValidationInfo) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if value.utcoffset() and _faults(info).reject_offset_datetimes:
        raise PydanticCustomError("timezone_aware", "Input should be in UTC (Z or +00:00)")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", "Input is out of range once converted to UTC"
        ) from None


ChatRole = Annotated[
    Literal["user", "assistant", "system", "tool", "developer"], WrapValidator(_role)
]
FiniteFloat = Annotated[float, WrapValidator(_finite)]
#: A token count: pydantic v2 lax refuses a fractional float (`int_from_float`), keeps 1.0.
Count = Annotated[int, WrapValidator(_count)]
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


class TextChatContent(_Model):
    type: Literal["text"]
    text: str


class ImageUrl(_Model):
    url: str
    detail: Literal["high", "low", "auto"] | None = None


class ImageChatContent(_Model):
    type: Literal["image_url"]
    image_url: ImageUrl


ContentPart = Annotated[TextChatContent | ImageChatContent, Field(discriminator="type")]


class FunctionTool(_Model):
    name: str
    arguments: str | None = None


class ToolCall(_Model):
    id: str
    type: Literal["function"]
    function: FunctionTool


class ThinkingContent(_Model):
    type: Literal["thinking"]
    thinking: str
    signature: str

    @model_validator(mode="wrap")
    @classmethod
    def _signature_optional_under_fault(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        if (
            isinstance(data, dict)
            and "signature" not in data
            and _faults(info).accept_missing_signature
        ):
            block = handler({**data, "signature": ""})
            block.__pydantic_fields_set__.discard("signature")  # echoed without it
            return block
        return handler(data)


class RedactedThinkingContent(_Model):
    type: Literal["redacted_thinking"]
    data: str

    @model_validator(mode="after")
    def _crash_under_fault(self, info: ValidationInfo) -> RedactedThinkingContent:
        if _faults(info).crash_on_redacted_thinking:
            raise SimulatedCrash("redacted_thinking block")
        return self


ThinkingBlock = Annotated[ThinkingContent | RedactedThinkingContent, Field(discriminator="type")]


class ChatMessage(_Model):
    role: ChatRole
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_call_id: str | None = None
    tool_calls: list[ToolCall] | None = None
    thinking: list[ThinkingBlock] | None = None


class FunctionName(_Model):
    name: str


class ToolChoiceFunction(_Model):
    type: Literal["function"]
    function: FunctionName


ToolChoice = Annotated[
    Literal["none", "auto", "required"] | ToolChoiceFunction, WrapValidator(_tool_choice)
]


class UpdateBody(_Model):
    """PromptLogUpdateRequest: every field optional (contracts/SOURCES.md, "SDK")."""

    output_message: ChatMessage | None = None
    prompt_tokens: Count | None = None
    reasoning_tokens: Count | None = None
    output_tokens: Count | None = None
    prompt_cost: FiniteFloat | None = None
    output_cost: FiniteFloat | None = None
    finish_reason: str | None = None
    messages: list[ChatMessage] | None = None
    tool_choice: ToolChoice | None = None
    output: str | None = None
    created_at: UtcDateTime | None = None
    error: str | None = None
    provider_latency: FiniteFloat | None = None
    stdout: str | None = None
    provider_request: JSONMap | None = None
    provider_response: JSONMap | None = None
    inputs: JSONMap | None = None
    source: str | None = None
    metadata: JSONMap | None = None
    start_time: UtcDateTime | None = None
    end_time: UtcDateTime | None = None
    log_status: Literal["complete", "incomplete"] | None = None


class ResponseFormat(_Model):
    type: Literal["json_object", "json_schema"]
    json_schema: JSONMap | None = None


class ToolFunction(_Model):
    name: str
    description: str
    strict: bool | None = None
    parameters: JSONMap | None = None


class PromptKernel(_Model):
    """The `prompt` object of POST /prompts/log; only fields echoed in PromptResponse."""

    model: str
    endpoint: Literal["complete", "chat", "edit"] | None = None
    template: str | list[ChatMessage] | None = None
    template_language: Literal["default", "jinja"] | None = None
    provider: (
        Literal[
            "anthropic", "bedrock", "cohere", "deepseek", "google",
            "groq", "mock", "openai", "openai_azure", "replicate",
        ]
        | None
    ) = None  # fmt: skip
    max_tokens: int | None = None
    temperature: FiniteFloat | None = None
    top_p: FiniteFloat | None = None
    stop: str | list[str] | None = None
    presence_penalty: FiniteFloat | None = None
    frequency_penalty: FiniteFloat | None = None
    other: JSONMap | None = None
    seed: int | None = None
    response_format: ResponseFormat | None = None
    reasoning_effort: Literal["high", "medium", "low"] | int | None = None
    tools: list[ToolFunction] | None = None
    attributes: JSONMap | None = None
    version_name: str | None = None
    version_description: str | None = None
    description: str | None = None
    readme: str | None = None
    tags: list[str] | None = None


class CreateBody(UpdateBody):
    """The body of POST /prompts/log: the Prompt by `path` or `id`, plus log fields."""

    path: str | None = None
    id: str | None = None
    prompt: PromptKernel | str | None = None
    run_id: str | None = None
    source_datapoint_id: str | None = None
    trace_parent_id: str | None = None
    user: str | None = None
    environment: str | None = None
    save: bool | None = None
    log_id: str | None = None

    @model_validator(mode="after")
    def _path_or_id(self) -> CreateBody:
        if not self.path and not self.id:
            raise PydanticCustomError("missing", "Either `path` or `id` of the Prompt is required")
        return self


def _non_finite(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, float):
        if not math.isfinite(value):
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, (*loc, index))


def non_finite_errors(dumped: JSONMap, fields: tuple[str, ...]) -> list[JSONMap]:
    """FastAPI-shaped errors for NaN/infinity inside free-form fields (pydantic lets them in)."""
    return [
        {
            "type": "finite_number",
            "loc": ["body", *loc],
            "msg": "Input should be a finite number",
            "input": str(value_at(dumped, loc)),
        }
        for field in fields
        if field in dumped
        for loc in _non_finite(dumped[field], (field,))
    ]


def value_at(document: Any, loc: tuple[str | int, ...]) -> Any:
    """The value at `loc` inside nested dicts and lists."""
    for part in loc:
        document = document[part]
    return document
