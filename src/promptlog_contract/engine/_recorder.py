"""Turns judged exchanges into rule statistics, findings and the coverage matrix.

The engine's worker threads all report here, so this is the one place that
counts (under a lock), hands failures to the findings collector (one finding
per root-cause signature) and redacts what goes into a finding.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from promptlog_contract import contract
from promptlog_contract._secrets import Scrubber, scrub
from promptlog_contract.checks import CHECKS, judge
from promptlog_contract.types import (
    NOT_JSON,
    Context,
    Exchange,
    Finding,
    HttpRequest,
    HttpResponse,
    NotApplicable,
    RuleStats,
    Violation,
)

from ._findings import Collector, Example
from ._http import curl_command

#: Distinct variants kept per coverage dimension (observed ones come from the target).
_MAX_VARIANTS = 200
_MAX_TEXT = 4096
#: Bytes of a response body kept with a finding's exchange (to re-send and re-judge it);
#: the rest is dropped so that hours of findings keep memory flat.
_KEPT_CONTENT = 64 * 1024


def _scrub(text: str, secret: str | Scrubber) -> str:
    return secret.text(text) if isinstance(secret, Scrubber) else scrub(text, secret)


def _text(content: bytes | None, secret: str | Scrubber) -> str | None:
    if content is None:
        return None
    # Scrub first, then cut: a key straddling the cut must not leave a fragment.
    text = _scrub(content.decode("utf-8", errors="replace"), secret)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + f"...(truncated, {len(content)} bytes)"
    return text


def kept(exchange: Exchange) -> Exchange:
    """The exchange as a finding keeps it: the response body cut to _KEPT_CONTENT bytes."""
    response = exchange.response
    if len(response.content) <= _KEPT_CONTENT:
        return exchange
    small = replace(response, content=response.content[:_KEPT_CONTENT], body=NOT_JSON)
    return replace(exchange, response=small)


def request_dict(request: HttpRequest, secret: str | Scrubber) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": _scrub(request.url, secret),
        "headers": {k: _scrub(v, secret) for k, v in request.headers.items()},
        "body": _text(request.content, secret),
    }


def response_dict(response: HttpResponse, secret: str | Scrubber) -> dict[str, Any]:
    return {
        "status": response.status,
        "headers": {k: _scrub(v, secret) for k, v in response.headers.items()},
        "body": _text(response.content, secret),
        "elapsed_ms": round(response.elapsed_ms, 2),
    }


class Recorder:
    """Thread-safe sink for judged exchanges."""

    def __init__(self, ctx: Context, catalog: Mapping[str, Iterable[str]]) -> None:
        self.ctx = ctx
        self.rules: dict[str, RuleStats] = {c.name: RuleStats() for c in CHECKS}
        self._findings: list[Finding] = []
        self.collector = Collector()
        self.finished = False
        #: each finding's kept examples, smallest body first (the first is minimised)
        self.examples: dict[str, list[Example]] = {}
        self.coverage: dict[str, dict[str, dict[str, int]]] = {
            dim: {v: {"sent": 0, "observed": 0} for v in variants}
            for dim, variants in catalog.items()
        }
        # Response dimensions list what a faithful target shows; anything else is added
        # when observed (another union member, 403, 400, ...).
        self.coverage["union_member"] = {"PromptLogResponse": {"sent": 0, "observed": 0}}
        self.coverage["status"] = {
            s: {"sent": 0, "observed": 0} for s in map(str, contract.PATCH_STATUSES)
        }
        self.coverage.setdefault("error_type", {})
        self._lock = threading.Lock()
        self._started = time.monotonic()
        #: seconds from the recorder's start to each rule's first failure
        self.first_failure: dict[str, float] = {}
        #: the exchange behind each finding, to re-send it
        self.exchanges: dict[str, Exchange] = {}
        self.rejudges: dict[str, Callable[[Exchange], bool]] = {}
        #: what findings are scrubbed with: the key, and the run may add its near misses
        self.scrubber = Scrubber((ctx.api_key,))

    def _cell(self, dimension: str, variant: str) -> dict[str, int]:
        cells = self.coverage.setdefault(dimension, {})
        if variant not in cells and len(cells) >= _MAX_VARIANTS:
            variant = "(other)"  # a target inventing error types cannot grow memory without end
        return cells.setdefault(variant, {"sent": 0, "observed": 0})

    def sent(self, variants: Iterable[tuple[str, str]], observed: bool) -> None:
        with self._lock:
            for dimension, variant in variants:
                cell = self._cell(dimension, variant)
                cell["sent"] += 1
                cell["observed"] += int(observed)

    def _observe_response(self, response: HttpResponse) -> None:
        cell = self._cell("status", str(response.status))
        cell["sent"] += 1
        cell["observed"] += 1
        if response.status == 200:
            member = contract.member_of(response.body)
            if member:
                cell = self._cell("union_member", member)
                cell["sent"] += 1
                cell["observed"] += 1
        elif response.status == 422 and isinstance(response.body, dict):
            detail = response.body.get("detail")
            if isinstance(detail, list):
                for item in detail:
                    if isinstance(item, dict) and isinstance(item.get("type"), str):
                        cell = self._cell("error_type", item["type"])
                        cell["sent"] += 1
                        cell["observed"] += 1

    def expect(self, rules: Iterable[str]) -> None:
        """Rules (not ours) this run means to judge: listed even if they never get to."""
        with self._lock:
            for rule in rules:
                self.rules.setdefault(rule, RuleStats())

    def judge(self, exchange: Exchange, *, record: bool = True) -> list[tuple[str, Violation]]:
        """Apply every check; record stats and findings unless `record` is False."""
        outcomes = judge(exchange, self.ctx)
        violations = [(c.name, v) for c, v in outcomes if isinstance(v, Violation)]
        if not record:
            return violations
        with self._lock:
            self._observe_response(exchange.response)
            for check, outcome in outcomes:
                stats = self.rules[check.name]
                if isinstance(outcome, NotApplicable):
                    stats.skip(outcome.reason)
                    continue
                if outcome is None:
                    stats.passed += 1
                elif outcome.warning:
                    stats.warned += 1
                else:
                    stats.failed += 1
                if outcome is not None:
                    self._add_finding(check.name, outcome, exchange)
        return violations

    def record_external(
        self,
        rule: str,
        exchange: Exchange,
        violation: Violation | None,
        rejudge: Callable[[Exchange], bool] | None = None,
    ) -> None:
        """Count the outcome of a rule that is not ours (a Schemathesis check).

        `rejudge` re-applies that rule to a re-sent exchange (True: it still fails).
        """
        with self._lock:
            stats = self.rules.setdefault(rule, RuleStats())
            if violation is None:
                stats.passed += 1
                return
            if violation.warning:
                stats.warned += 1
            else:
                stats.failed += 1
            self._add_finding(rule, violation, exchange, rejudge)

    def _add_finding(
        self,
        rule: str,
        violation: Violation,
        exchange: Exchange,
        rejudge: Callable[[Exchange], bool] | None = None,
    ) -> None:
        if not violation.warning and rule not in self.first_failure:
            self.first_failure[rule] = round(time.monotonic() - self._started, 3)
        self.collector.add(rule, violation, kept(exchange), rejudge)

    @property
    def findings(self) -> list[Finding]:
        """The distinct findings: as sealed by `finish`, else grouped afresh from what was seen."""
        return self._findings if self.finished else self.finish(seal=False)

    def finish(self, *, seal: bool = True) -> list[Finding]:
        """Group every failure seen into distinct findings (ids F001...), smallest example first.

        Sealed (the default), the list is kept as is for minimising and labelling.
        """
        findings: list[Finding] = []
        self._findings, self.exchanges, self.rejudges, self.examples = findings, {}, {}, {}
        self.finished = seal
        for group in self.collector.groups():
            examples = sorted(group.examples, key=lambda e: len(e.exchange.request.content or b""))
            first = examples[0]
            finding = self.make_finding(
                group.signature["rule"], first.violation, first.exchange, group.fingerprint
            )
            finding.signature, finding.also = group.signature, group.also
            finding.occurrences = group.occurrences
            finding.examples = [self.example_dict(e) for e in _shown(examples)]
            variants = list(dict.fromkeys(e.exchange.variant for e in examples))
            if len(variants) > 1 and None not in variants:
                finding.message += f" (variants: {', '.join(str(v) for v in variants)})"
            findings.append(finding)
            self.exchanges[finding.id] = first.exchange
            self.examples[finding.id] = examples
            if first.rejudge is not None:
                self.rejudges[finding.id] = first.rejudge
        return findings

    def example_dict(self, example: Example) -> dict[str, Any]:
        # The run's scrubber, not the key alone: a near miss's body or message may echo it.
        secret = self.scrubber
        request = example.exchange.request
        out: dict[str, Any] = {
            "request": f"{request.method} {secret.text(request.url)}",
            "body": _text(request.content, secret),
            "status": example.exchange.response.status,
            "message": secret.text(example.violation.message),
        }
        if example.exchange.variant is not None:
            out["variant"] = example.exchange.variant  # its name only, never the value
        return out

    def make_finding(self, rule: str, violation: Violation, exchange: Exchange, fp: str) -> Finding:
        secret = self.scrubber
        return Finding(
            id=f"F{len(self._findings) + 1:03d}",
            rule=rule,
            violation=type(violation).__name__,
            level=violation.level,
            message=secret.text(violation.message),
            kind=exchange.kind,
            phase=exchange.phase,
            request=request_dict(exchange.request, secret),
            response=response_dict(exchange.response, secret),
            curl=secret.text(curl_command(exchange.request)),
            label=exchange.label.to_dict() if exchange.label else None,
            fingerprint=fp,
        )

    def replace_exchange(self, finding: Finding, exchange: Exchange, violation: Violation) -> None:
        """Swap a finding's request/response for a smaller reproducer of the same rule."""
        secret = self.scrubber
        finding.request = request_dict(exchange.request, secret)
        finding.response = response_dict(exchange.response, secret)
        finding.curl = secret.text(curl_command(exchange.request))
        finding.message = secret.text(violation.message)
        finding.label = exchange.label.to_dict() if exchange.label else None


def _shown(examples: list[Example]) -> list[Example]:
    """The examples a finding lists besides its own: a few, plus one per variant not yet shown.

    Five near-miss keys accepted by one loose comparison are one finding; the
    person fixing it still sees each variant that got through.
    """
    seen = {examples[0].exchange.variant}
    out: list[Example] = []
    for example in examples[1:]:
        variant = example.exchange.variant
        if len(out) < 3 or variant not in seen:
            out.append(example)
            seen.add(variant)
    return out


def body_size(value: Any) -> int:
    body = getattr(value, "body", value)
    try:
        return len(json.dumps(body, default=str))
    except (TypeError, ValueError):
        return 1 << 30


def is_json_dict(value: Any) -> bool:
    return value is not NOT_JSON and isinstance(value, dict)
