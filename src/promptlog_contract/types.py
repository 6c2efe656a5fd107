"""Plain records shared by every layer: labels, exchanges, violations, results.

A leaf module: it imports nothing of the project, so strategies, checks, the
runner and the report writers can all speak the same vocabulary without
importing each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

JSONPath = tuple[str | int, ...]
Severity = Literal["must-reject", "lax-coercible"]
Level = Literal["failure", "warning"]

#: The kinds of exchange the engine produces; checks decide by kind what applies.
ExchangeKind = Literal[
    "valid",  # a contract-valid PATCH body
    "invalid",  # a body that breaks exactly one labelled rule
    "raw",  # byte-level request (malformed JSON, wrong content type, ...)
    "open",  # behaviour the documentation leaves open (null, unknown field, no body)
    "unknown_log",  # PATCH of a log that does not exist
    "auth_missing",  # PATCH without X-API-KEY
    "auth_wrong",  # PATCH with a key the server does not know
    "auth_near_miss",  # PATCH with the real key bent slightly (`variant` names how)
    "repeat",  # the same valid body sent a second time
    "concurrent",  # a valid PATCH sent at the same time as others of disjoint fields
    "get",  # GET /logs/{id} after a PATCH
    "concurrent_get",  # GET after a round of concurrent PATCHes (`concurrent` holds their bodies)
    "sibling_get",  # GET of another log of the prompt, not patched (`before`: its earlier state)
]


@dataclass(frozen=True)
class Label:
    """Where an invalid body is broken, which rule it breaks, and how surely it must fail.

    `kind` names the kind of bad value (`fractional`, `numeric_string`, ...;
    see `strategies.bad_value_kinds()`) when it is known.
    """

    path: JSONPath
    rule: str
    severity: Severity
    kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": list(self.path),
            "rule": self.rule,
            "severity": self.severity,
        }
        if self.kind is not None:
            out["kind"] = self.kind
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Label:
        """The label `to_dict` wrote (a missing `kind` is None)."""
        return cls(tuple(data["path"]), data["rule"], data["severity"], data.get("kind"))


@dataclass(frozen=True)
class InvalidBody:
    """A PATCH body that breaks exactly the rule its label names (and nothing else)."""

    body: Any
    label: Label


@dataclass(frozen=True)
class RawRequest:
    """A byte-level PATCH request and the statuses a faithful server may answer with."""

    name: str
    content: bytes
    content_type: str | None
    expected_statuses: frozenset[int]
    note: str = ""


@dataclass(frozen=True)
class HttpRequest:
    """What was sent. Headers are stored with the API key already redacted."""

    method: str
    url: str
    headers: Mapping[str, str]
    content: bytes | None

    def json(self) -> Any:
        if not self.content:
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            return None


#: Marker for a response body that did not parse as JSON.
NOT_JSON: Any = type("NotJSON", (), {"__repr__": lambda self: "<not JSON>"})()


@dataclass(frozen=True)
class HttpResponse:
    """What came back; `body` is the parsed JSON or NOT_JSON."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    body: Any
    elapsed_ms: float = 0.0
    #: why `body` could not be judged although bytes came: too large, too deep, not strict JSON
    problem: str | None = None
    #: the body was larger than the size cap: `content` holds only its first bytes
    oversize: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class Exchange:
    """One request/response plus what the checks need to judge it.

    `sent` is the JSON body as drawn (None for raw requests); `label` is set for
    invalid bodies; `before` is the log's state just before a PATCH (from the
    previous 200 or from GET); `first` is the 200 body of the first send for
    `repeat` exchanges; `patched` is the 200 body of the last PATCH for `get`
    exchanges (what reading the log back must agree with).
    `concurrent` holds, for a `concurrent_get`, the bodies of the concurrent
    PATCHes that got 200; `variant` names the probe's variant (for
    `auth_near_miss`, e.g. `case_flipped`: never the key itself). For
    `sibling_get`, `before` is the sibling's state read before the PATCH sequences.
    `control`, for a `concurrent_get`, is the read-back of a fresh log sent the
    round's 200 bodies one by one (the sequential control: what the target
    keeps without concurrency); None when no control was sent.
    """

    kind: ExchangeKind
    request: HttpRequest
    response: HttpResponse
    sent: Any = None
    label: Label | None = None
    raw: RawRequest | None = None
    before: Mapping[str, Any] | None = None
    first: Mapping[str, Any] | None = None
    patched: Mapping[str, Any] | None = None
    phase: str = "engine"
    concurrent: tuple[Mapping[str, Any], ...] | None = None
    variant: str | None = None
    control: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Context:
    """Read-only facts the checks may consult."""

    api_key: str
    strict: bool = False
    has_get: bool = True


class Violation(Exception):
    """A rule did not hold. Subclasses name what went wrong.

    `warning` marks behaviour the documentation leaves open: reported, but it
    only fails the gate under --strict.
    """

    def __init__(self, message: str, *, warning: bool = False, paths: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.warning = warning
        #: where it broke, most telling first: "metadata", "messages/0/content",
        #: "PromptLogResponse:evaluator_logs:required" (finding signatures generalise them)
        self.paths = paths

    @property
    def path(self) -> str | None:
        """The first location that broke, or None when the rule has no location."""
        return self.paths[0] if self.paths else None

    @property
    def level(self) -> Level:
        return "warning" if self.warning else "failure"


class NotApplicable(Exception):
    """A check does not judge this exchange; the message says why. Never counted as held."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RuleStats:
    """How often a rule held, failed, warned, and did not apply (with the reasons why not)."""

    passed: int = 0
    failed: int = 0
    warned: int = 0
    not_applicable: int = 0
    #: reason -> count, for the exchanges the rule did not judge
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def judged(self) -> int:
        return self.passed + self.failed + self.warned

    def skip(self, reason: str) -> None:
        self.not_applicable += 1
        if reason in self.reasons or len(self.reasons) < 20:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def top_reason(self) -> str | None:
        return max(self.reasons, key=lambda r: self.reasons[r]) if self.reasons else None

    def to_dict(self) -> dict[str, int]:
        return {
            "passed": self.passed,
            "failed": self.failed,
            "warned": self.warned,
            "not_applicable": self.not_applicable,
        }


@dataclass
class Finding:
    """One rule violation as reported: everything needed to reproduce it, key redacted."""

    id: str
    rule: str
    violation: str
    level: Level
    message: str
    kind: str
    phase: str
    request: dict[str, Any]
    response: dict[str, Any]
    curl: str
    #: "deterministic", "flaky (k of n)" or why it was not re-run ("not re-run: budget spent")
    reproducibility: str = "not re-run: budget spent"
    label: dict[str, Any] | None = None
    fingerprint: str = ""
    baselined: bool = False
    #: the root-cause signature the fingerprint hashes, as readable parts
    signature: dict[str, str] = field(default_factory=dict)
    #: other locations the same failures broke, each {"location", "fingerprint"}:
    #: a re-run showing any of them is this finding, and a baseline may name any
    also: list[dict[str, str]] = field(default_factory=list)
    occurrences: int = 1
    #: a few other occurrences (request line, body, message), capped
    examples: list[dict[str, Any]] = field(default_factory=list)
    #: the story: the log before, each step sent and answered, what differs
    sequence: dict[str, Any] = field(default_factory=dict)
    #: self-contained reproducers: {"curl": script, "python": httpx snippet}
    reproducer: dict[str, str] = field(default_factory=dict)
    replay: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "violation": self.violation,
            "level": self.level,
            "message": self.message,
            "kind": self.kind,
            "phase": self.phase,
            "request": self.request,
            "response": self.response,
            "curl": self.curl,
            "reproducibility": self.reproducibility,
            "label": self.label,
            "fingerprint": self.fingerprint,
            "baselined": self.baselined,
            "signature": dict(self.signature),
            "also": list(self.also),
            "occurrences": self.occurrences,
            "examples": list(self.examples),
            "sequence": dict(self.sequence),
            "reproducer": dict(self.reproducer),
            "replay": self.replay,
        }


@dataclass
class RunResult:
    """Everything a run produced; the report writers read only this."""

    target_url: str
    seed: int
    profile: str
    strict: bool
    started_at: str
    duration_s: float = 0.0
    requests_sent: int = 0
    requests_by_status: dict[str, int] = field(default_factory=dict)
    rules: dict[str, RuleStats] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    #: coverage[dimension][variant] = {"sent": n, "observed": m}
    coverage: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    unhealthy: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    contract_hash: str = ""
    phases: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] | None = None
    #: the signal number that stopped the run (SIGINT, SIGTERM), if one did
    interrupted_by: int | None = None
    #: ids of scratch logs the run created and could not delete
    leftovers: list[str] = field(default_factory=list)
    #: why cleanup failed (the DELETE's status or error), when it did
    cleanup_error: str | None = None
    #: rules that must judge something in a run but judged nothing -> why not
    not_exercised: dict[str, str] = field(default_factory=dict)
    #: rules that judged nothing because the target lacks a capability (README) -> which
    excused: dict[str, str] = field(default_factory=dict)
    #: the bundled mock's seeded faults when the target was the bundled mock, else None
    mock_faults: list[str] | None = None

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "failure" and not f.baselined]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def verdict(self) -> str:
        """interrupted, unhealthy, fail, inconclusive or pass, in that order of precedence.

        A run that left scratch logs behind is unhealthy unless it failed (the
        failures say more); a run in which a must-judge rule judged nothing is
        inconclusive, never a pass.
        """
        if self.interrupted_by is not None:
            return "interrupted"
        if self.unhealthy is not None:
            return "unhealthy"
        if self.failures or (self.baseline and self.baseline.get("expired")):
            return "fail"
        if self.leftovers or self.cleanup_error:
            return "unhealthy"
        if self.not_exercised:
            return "inconclusive"
        return "pass"

    @property
    def exit_code(self) -> int:
        if self.interrupted_by is not None:
            return 128 + self.interrupted_by
        return {"pass": 0, "fail": 1, "unhealthy": 3, "inconclusive": 3}[self.verdict]
