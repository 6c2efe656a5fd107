"""Re-create a finding: its recipe, performed on a log, and whether the same bug shows again.

Minimising, labelling and `replay` all need the same three things: what to
send (a recipe read back from an exchange or from summary.json), a log to
send it to (a fresh scratch log, so earlier requests cannot hide or fake the
bug), and a judgement that the *same* finding recurred, meaning the same rule
with the same root-cause signature, not merely some failure of that rule.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from promptlog_contract import contract, strategies
from promptlog_contract.types import Exchange, InvalidBody, Label, Violation

from ._findings import base_signature, locations
from ._scratch import ScratchLog, ScratchLogRefused, ScratchLogs
from ._sequences import Sequences, near_miss_value

_SEQUENCE_KINDS = frozenset({"valid", "repeat", "get"})
Rejudge = Callable[[Exchange], bool]


@dataclass(frozen=True)
class Recipe:
    """What to send to show a finding again: the kind of script and its body or bytes."""

    kind: str
    phase: str = "engine"
    body: Any = None
    content: bytes | None = None
    content_type: str | None = None
    label: Label | None = None
    raw_name: str | None = None
    #: the near-miss key's variant name (never the key) for an `auth_near_miss` probe
    variant: str | None = None

    @property
    def is_sequence(self) -> bool:
        """A valid body: PATCH, PATCH again, GET (the stateful rules' story)."""
        return self.kind in _SEQUENCE_KINDS

    @property
    def json_body(self) -> bool:
        return self.is_sequence or self.kind == "invalid" or _parses(self.content)

    def with_body(self, body: Any) -> Recipe:
        content = json.dumps(body).encode()
        return replace(self, body=body, content=content, content_type="application/json")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "phase": self.phase,
            "body": self.current_body(),
            "content": None if self.content is None else self.content.decode("utf-8", "replace"),
            "content_type": self.content_type,
            "label": self.label.to_dict() if self.label else None,
            "raw": self.raw_name,
            "variant": self.variant,
        }

    def current_body(self) -> Any:
        if self.body is not None or self.is_sequence or self.kind == "invalid":
            return self.body
        return json.loads(self.content) if self.content and _parses(self.content) else None

    @classmethod
    def from_exchange(cls, exchange: Exchange) -> Recipe:
        request = exchange.request
        return cls(
            kind=exchange.kind,
            phase=exchange.phase,
            body=exchange.sent,
            content=request.content,
            content_type=request.headers.get("content-type"),
            label=exchange.label,
            raw_name=exchange.raw.name if exchange.raw else None,
            variant=exchange.variant,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        label = data.get("label")
        content = data.get("content")
        return cls(
            kind=str(data["kind"]),
            phase=str(data.get("phase") or "engine"),
            body=data.get("body"),
            content=content.encode() if isinstance(content, str) else None,
            content_type=data.get("content_type"),
            label=Label(tuple(label["path"]), label["rule"], label["severity"]) if label else None,
            raw_name=data.get("raw"),
            variant=data.get("variant"),
        )


def _parses(content: bytes | None) -> bool:
    if not content:
        return False
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def perform(seq: Sequences, log: ScratchLog, recipe: Recipe) -> list[Exchange]:
    """Send the recipe to `log` (unrecorded) and return the exchanges to judge."""
    if recipe.is_sequence:
        return seq.valid(log, recipe.body, record=False, phase=recipe.phase)
    if recipe.kind == "invalid" and recipe.label is not None:
        case = InvalidBody(recipe.body, recipe.label)
        return seq.invalid(log, case, record=False, phase=recipe.phase)
    path = log.path
    if recipe.kind == "unknown_log":
        path = contract.patch_path(log.prompt_id, f"log_promptlog_contract_missing_{log.log_id}")
    wrong = "wrong-" + secrets.token_hex(12)
    auth: dict[str, str | bytes | None] = {"auth_missing": None, "auth_wrong": wrong}
    if recipe.kind == "auth_near_miss":
        # The same near miss again: the recorded request holds only [REDACTED].
        auth["auth_near_miss"] = near_miss_value(seq.target.api_key, recipe.variant) or wrong
    content = recipe.content
    if recipe.body is not None and recipe.kind != "raw":
        content = json.dumps(recipe.body).encode()
    request, response = seq.target.request(
        "PATCH",
        path,
        content=content,
        content_type=recipe.content_type,
        auth=auth.get(recipe.kind, "key"),
    )
    if response.status == 200 and isinstance(response.body, dict):
        log.state = response.body
    raw = next((r for r in strategies.RAW_REQUESTS if r.name == recipe.raw_name), None)
    sent = request.json() if recipe.kind != "raw" else None
    kind: Any = recipe.kind
    return [
        Exchange(
            kind,
            request,
            response,
            sent=sent,
            raw=raw,
            label=recipe.label,
            phase=recipe.phase,
            variant=recipe.variant,
        )
    ]


def matches(
    signature: dict[str, str], where: set[str], rule: str, violation: Violation, exchange: Exchange
) -> bool:
    """Whether a failure is the finding: its signature, broken at one of the finding's locations."""
    if rule != signature.get("rule"):
        return False
    base = base_signature(rule, violation, exchange)
    # A part the record lacks (a summary from an older version) matches anything.
    if any(signature.get(k, v) != v for k, v in base.items()):
        return False
    return not where or not where.isdisjoint(locations(rule, violation, exchange))


def places(signature: dict[str, str], also: list[dict[str, str]]) -> set[str]:
    """The locations that count as a finding: its own and the alternatives it carries."""
    return {signature.get("location", ""), *(a.get("location", "") for a in also)}


def judge(
    seq: Sequences,
    exchanges: list[Exchange],
    signature: dict[str, str],
    where: set[str],
    rejudge: Rejudge | None,
) -> tuple[Exchange, Violation | None] | None:
    """The exchange showing the finding again (and its violation), or None if none does."""
    rule = signature.get("rule", "")
    for exchange in exchanges:
        if rejudge is not None:
            if rejudge(exchange):
                return exchange, None
            continue
        for name, violation in seq.recorder.judge(exchange, record=False):
            if name == rule and matches(signature, where, name, violation, exchange):
                return exchange, violation
    return None


@dataclass
class Fresh:
    """Fresh scratch logs for re-runs; falls back to the user's log if none can be made."""

    logs: ScratchLogs
    fallback: ScratchLog | None = None

    def log(self) -> ScratchLog:
        try:
            log = self.logs.new()
        except ScratchLogRefused:
            if self.fallback is None:
                raise
            log = self.fallback
        log.state = None
        self.logs.read_state(log)
        return log
