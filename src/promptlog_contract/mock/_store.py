"""In-memory tenants, prompts and logs behind one lock.

Every read-modify-write happens inside the lock, so concurrent PATCHes of
disjoint fields of one log lose nothing even if the app is driven from several
threads (the `lost_update` fault reads and writes in two steps instead).
Nothing keeps history (only the one snapshot the `stale_get` fault needs), and
the number of logs per tenant is capped, so memory stays flat however long a
suite hammers the mock.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._faults import Faults

JSONMap = dict[str, Any]

#: The PATCHable fields, in the SDK's PromptLogResponse order.
UPDATE_FIELDS = (
    "output_message", "prompt_tokens", "reasoning_tokens", "output_tokens", "prompt_cost",
    "output_cost", "finish_reason", "messages", "tool_choice", "start_time", "end_time",
    "output", "created_at", "error", "provider_latency", "stdout", "provider_request",
    "provider_response", "inputs", "source", "metadata", "log_status",
)  # fmt: skip
#: Log fields set only when the log is created.
CREATE_ONLY_FIELDS = (
    "source_datapoint_id", "trace_parent_id", "batches", "user", "environment", "save",
    "log_id", "trace_flow_id", "trace_id", "trace_children",
)  # fmt: skip
DEFAULT_MODEL = "gpt-4o"
MAX_LOGS_PER_TENANT = 100_000


def new_id(prefix: str) -> str:
    """A random id in Humanloop's style (`log_...`, `pr_...`), letters and digits only."""
    token = secrets.token_urlsafe(15).replace("-", "x").replace("_", "z")
    return f"{prefix}{token}"


def format_datetime(value: datetime) -> str:
    """RFC 3339 in UTC with `Z`, microseconds only when present."""
    value = value.astimezone(UTC) if value.tzinfo else value
    # isoformat, not strftime: glibc's %Y does not zero-pad years before 1000.
    spec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def now() -> str:
    return format_datetime(datetime.now(UTC))


class NotFound(LookupError):
    """A prompt, version or log the caller may not see; the message is the 404 detail."""


class UnknownLog(NotFound):
    """No log with that id exists for the caller (as opposed to one under another prompt)."""


@dataclass(slots=True)
class _Version:
    id: str
    model: str
    kernel: JSONMap
    logs_count: int = 0


@dataclass(slots=True)
class _Prompt:
    id: str
    path: str
    created_at: str
    updated_at: str
    last_used_at: str
    current: _Version
    versions: dict[str, _Version] = field(default_factory=dict)
    total_logs_count: int = 0
    inputs: dict[str, None] = field(default_factory=dict)
    #: Ids of the logs created under this prompt (kept only for `leak_to_siblings`).
    log_ids: list[str] = field(default_factory=list)

    def response(self, version: _Version) -> JSONMap:
        """The PromptResponse of `version`, with every required field."""
        extras = {key: value for key, value in version.kernel.items() if key != "model"}
        return {
            "path": self.path,
            "id": self.id,
            "model": version.model,
            **extras,
            "name": self.path.rstrip("/").rsplit("/", 1)[-1] or self.path,
            "version_id": version.id,
            "type": "prompt",
            "environments": [],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "last_used_at": self.last_used_at,
            "version_logs_count": version.logs_count,
            "total_logs_count": self.total_logs_count,
            "inputs": [{"name": name} for name in self.inputs],
            "evaluators": [],
        }


@dataclass(slots=True)
class _Log:
    id: str
    prompt: _Prompt
    version: _Version
    fields: JSONMap
    previous: JSONMap | None = None


@dataclass(frozen=True, slots=True)
class LogView:
    """A consistent copy of one log and its prompt, safe to render outside the lock."""

    id: str
    fields: JSONMap
    prompt: JSONMap


def _kernel_from_text(text: str) -> JSONMap:
    # A raw .prompt file: take `model:` from its front matter if there is one.
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model" and value.strip():
            return {"model": value.strip().strip("'\"")}
    return {"model": DEFAULT_MODEL}


class Store:
    """Prompts and logs per tenant (API key); faults that change storage are applied here."""

    def __init__(self, faults: Faults, *, max_logs_per_tenant: int = MAX_LOGS_PER_TENANT) -> None:
        self._faults = faults
        self._max_logs = max_logs_per_tenant
        self._lock = threading.Lock()
        self._prompts_by_path: dict[tuple[str, str], _Prompt] = {}
        self._prompts_by_id: dict[tuple[str, str], _Prompt] = {}
        self._logs: dict[str, dict[str, _Log]] = {}

    def _new_prompt(self, tenant: str, path: str, kernel: JSONMap, prompt_id: str) -> _Prompt:
        stamp = now()
        version = _Version(new_id("prv_"), str(kernel.get("model", DEFAULT_MODEL)), kernel)
        prompt = _Prompt(prompt_id, path, stamp, stamp, stamp, version, {version.id: version})
        self._prompts_by_path[tenant, path] = prompt
        self._prompts_by_id[tenant, prompt_id] = prompt
        return prompt

    def _resolve_prompt(
        self, tenant: str, prompt_id: str | None, path: str | None, kernel: JSONMap | str | None
    ) -> _Prompt:
        if isinstance(kernel, str):
            kernel = _kernel_from_text(kernel)
        if prompt_id:
            prompt = self._prompts_by_id.get((tenant, prompt_id))
            if prompt is None:
                raise NotFound("Prompt not found")
        else:
            assert path is not None  # the request model requires path or id
            prompt = self._prompts_by_path.get((tenant, path)) or self._new_prompt(
                tenant, path, kernel or {"model": DEFAULT_MODEL}, new_id("pr_")
            )
        if kernel and kernel != prompt.current.kernel:
            # A different kernel is a new version, as committing a changed prompt would be.
            version = _Version(new_id("prv_"), str(kernel["model"]), kernel)
            prompt.versions[version.id] = version
            prompt.current = version
            prompt.updated_at = now()
        return prompt

    def _view(self, log: _Log, fields: JSONMap | None = None) -> LogView:
        return LogView(
            log.id, dict(log.fields if fields is None else fields), log.prompt.response(log.version)
        )

    def _add(self, tenant: str, log: _Log) -> None:
        logs = self._logs.setdefault(tenant, {})
        logs[log.id] = log
        log.prompt.total_logs_count += 1
        log.version.logs_count += 1
        log.prompt.last_used_at = now()
        if len(logs) > self._max_logs:
            self._forget(logs.pop(next(iter(logs))))

    @staticmethod
    def _forget(log: _Log) -> None:
        log.prompt.total_logs_count -= 1
        log.version.logs_count -= 1

    def create_log(
        self,
        tenant: str,
        *,
        prompt_id: str | None,
        path: str | None,
        kernel: JSONMap | str | None,
        version_id: str | None,
        fields: JSONMap,
    ) -> LogView:
        """Log to a Prompt (creating the Prompt on first use of its path)."""
        with self._lock:
            prompt = self._resolve_prompt(tenant, prompt_id, path, kernel)
            version = prompt.current
            if version_id is not None:
                if version_id not in prompt.versions:
                    raise NotFound("Version not found")
                version = prompt.versions[version_id]
            stored: JSONMap = dict.fromkeys((*UPDATE_FIELDS, *CREATE_ONLY_FIELDS))
            stored.update(save=True, trace_children=[], created_at=now())
            stored.update(fields)
            for name in stored["inputs"] or {}:
                prompt.inputs[name] = None
            log = _Log(new_id("log_"), prompt, version, stored)
            self._add(tenant, log)
            if self._faults.leak_to_siblings:
                prompt.log_ids.append(log.id)
            return self._view(log)

    def _patchable(self, tenant: str, prompt_id: str, log_id: str) -> _Log:
        log = self._logs.get(tenant, {}).get(log_id)
        if log is None and self._faults.upsert_unknown_log:
            log = self._upsert(tenant, prompt_id, log_id)
        if log is None:
            raise UnknownLog("Log not found")
        if log.prompt.id != prompt_id:
            raise NotFound("Log not found")
        return log

    def update_log(self, tenant: str, prompt_id: str, log_id: str, changes: JSONMap) -> LogView:
        """Apply a partial update (only the keys in `changes`); NotFound if not the caller's."""
        faults = self._faults
        with self._lock:
            log = self._patchable(tenant, prompt_id, log_id)
            before = dict(log.fields) if faults.stale_get else None
            if faults.clear_omitted_fields:
                log.fields.update(dict.fromkeys(UPDATE_FIELDS))
            if faults.append_messages and isinstance(changes.get("messages"), list):
                changes = {
                    **changes,
                    "messages": [*(log.fields["messages"] or []), *changes["messages"]],
                }
            log.fields.update(changes)
            if before is not None and before != log.fields:
                log.previous = before  # a lagging replica: one change behind
            if faults.leak_to_siblings:
                self._leak(tenant, log, changes)
            return self._view(log)

    def _leak(self, tenant: str, log: _Log, changes: JSONMap) -> None:
        # An UPDATE ... WHERE prompt_id = ? that forgot the log id: every log of the prompt.
        logs = self._logs.get(tenant, {})
        log.prompt.log_ids = [other_id for other_id in log.prompt.log_ids if other_id in logs]
        for other_id in log.prompt.log_ids:
            if other_id != log.id:
                logs[other_id].fields.update(changes)

    def read_fields(self, tenant: str, prompt_id: str, log_id: str) -> JSONMap:
        """A copy of a log's fields (the read half of the `lost_update` fault's update)."""
        with self._lock:
            return dict(self._patchable(tenant, prompt_id, log_id).fields)

    def write_fields(self, tenant: str, log_id: str, fields: JSONMap) -> LogView:
        """Replace a log's fields wholesale (the write half of `lost_update`)."""
        with self._lock:
            log = self._logs.get(tenant, {}).get(log_id)
            if log is None:
                raise UnknownLog("Log not found")
            log.fields = fields
            return self._view(log)

    def _upsert(self, tenant: str, prompt_id: str, log_id: str) -> _Log:
        prompt = self._prompts_by_id.get((tenant, prompt_id)) or self._new_prompt(
            tenant, f"upserted/{prompt_id}", {"model": DEFAULT_MODEL}, prompt_id
        )
        stored: JSONMap = dict.fromkeys((*UPDATE_FIELDS, *CREATE_ONLY_FIELDS))
        stored.update(save=True, trace_children=[], created_at=now())
        log = _Log(log_id, prompt, prompt.current, stored)
        self._add(tenant, log)
        return log

    def get_log(self, tenant: str, log_id: str) -> LogView:
        """The caller's log (one change behind under `stale_get`)."""
        with self._lock:
            log = self._logs.get(tenant, {}).get(log_id)
            if log is None:
                raise UnknownLog("Log not found")
            if self._faults.stale_get and log.previous is not None:
                return self._view(log, log.previous)
            return self._view(log)

    def delete_logs(self, tenant: str, ids: Iterable[str]) -> None:
        """Delete the caller's logs among `ids`; unknown ids are ignored."""
        with self._lock:
            logs = self._logs.get(tenant, {})
            for log_id in ids:
                log = logs.pop(log_id, None)
                if log is not None:
                    self._forget(log)
