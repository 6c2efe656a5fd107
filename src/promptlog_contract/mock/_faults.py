"""The catalogue of seeded faults the mock can switch on.

A contract suite is only worth as much as the bugs it can see. Each fault
here is one realistic way a server can break the Update Prompt Log contract;
the suite's self-check starts the mock with one fault at a time and expects a
named rule to fail. The behaviour of each fault lives where it happens (request
models, store, renderer, error writer), guarded by a flag of :class:`Faults`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

FAULTS: Mapping[str, str] = MappingProxyType(
    {
        "accept_bad_tool_choice": "any string is accepted as tool_choice (stored and echoed)",
        "accept_missing_signature": "a thinking block without `signature` is accepted",
        "accept_unknown_role": "any string is accepted as a message role",
        "reject_developer_role": "a message with role `developer` gets 422",
        "reject_offset_datetimes": "date-times with a non-UTC offset (+hh:mm/-hh:mm) get 422",
        "crash_on_redacted_thinking": "a body with a `redacted_thinking` block gets 500",
        "drop_evaluator_logs": "200 bodies lack the required `evaluator_logs`",
        "prompt_tokens_as_string": "200 bodies carry `prompt_tokens` as a JSON string",
        "naive_datetimes": "200 bodies serialise date-times without an offset",
        "clear_omitted_fields": "PATCH replaces the whole log: fields not sent become null",
        "ignore_metadata": "a PATCHed `metadata` is accepted but not stored",
        "reverse_thinking_blocks": "thinking blocks come back in reverse order",
        "tool_call_arguments_as_object": "tool_calls `function.arguments` come back decoded",
        "plain_text_422": "validation errors are sent as text/plain 'Unprocessable Entity'",
        "status_400_for_validation": "validation errors get 400 instead of 422 (same body)",
        "flat_error_loc": "422 `loc` is a dotted string ('body.tool_choice') instead of a list",
        "auth_optional": "a request without X-API-KEY is served (as the first key's tenant)",
        "crash_on_unknown_log": "PATCH of an unknown log gets 500",
        "upsert_unknown_log": "PATCH of an unknown log creates it and returns 200",
        "echo_api_key": "422 bodies include a `debug` object echoing the request headers",
        "stale_get": "GET /logs/{id} lags one change behind the latest PATCH",
        "append_messages": "a sent `messages` list is appended to the stored one",
        "tool_log_returned": "PATCH returns a ToolLogResponse (`tool` instead of `prompt`)",
        "store_nan": "non-finite numbers (1e400) are stored, so the log can no longer be rendered",
        "loose_api_key": "keys match loosely: case, whitespace, a char more or less, a prefix",
        "truncate_fractional_counts": "a fractional token count (1.5) is stored truncated (1)",
        "foreign_422_envelope": "422 bodies are {error, errors: [{field, message}]}, not {detail}",
        "lost_update": "PATCH is read-modify-write without a lock: concurrent PATCHes lose fields",
        "leak_to_siblings": "a PATCH is also applied to every other log of the same prompt",
    }
)


@dataclass(frozen=True, slots=True)
class Faults:
    """Which faults are on; attribute reads keep the hot path cheap."""

    accept_bad_tool_choice: bool = False
    accept_missing_signature: bool = False
    accept_unknown_role: bool = False
    reject_developer_role: bool = False
    reject_offset_datetimes: bool = False
    crash_on_redacted_thinking: bool = False
    drop_evaluator_logs: bool = False
    prompt_tokens_as_string: bool = False
    naive_datetimes: bool = False
    clear_omitted_fields: bool = False
    ignore_metadata: bool = False
    reverse_thinking_blocks: bool = False
    tool_call_arguments_as_object: bool = False
    plain_text_422: bool = False
    status_400_for_validation: bool = False
    flat_error_loc: bool = False
    auth_optional: bool = False
    crash_on_unknown_log: bool = False
    upsert_unknown_log: bool = False
    echo_api_key: bool = False
    stale_get: bool = False
    append_messages: bool = False
    tool_log_returned: bool = False
    store_nan: bool = False
    loose_api_key: bool = False
    truncate_fractional_counts: bool = False
    foreign_422_envelope: bool = False
    lost_update: bool = False
    leak_to_siblings: bool = False

    @property
    def active(self) -> tuple[str, ...]:
        """The names of the faults that are on, in catalogue order."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))

    @property
    def any_render(self) -> bool:
        """Whether some fault rewrites 200 bodies (the renderer skips its fault pass if not)."""
        return (
            self.drop_evaluator_logs
            or self.prompt_tokens_as_string
            or self.naive_datetimes
            or self.reverse_thinking_blocks
            or self.tool_call_arguments_as_object
        )


NO_FAULTS = Faults()


def parse_faults(names: Iterable[str]) -> Faults:
    """Turn fault names into :class:`Faults`; an unknown name raises ``ValueError``."""
    chosen = [names] if isinstance(names, str) else list(dict.fromkeys(names))
    unknown = [name for name in chosen if name not in FAULTS]
    if unknown:
        raise ValueError(
            f"unknown fault {', '.join(map(repr, unknown))}; valid faults: {', '.join(FAULTS)}"
        )
    return Faults(**dict.fromkeys(chosen, True))


class SimulatedCrash(Exception):
    """Raised by a fault to make the app answer 500 as a crashing server would."""
