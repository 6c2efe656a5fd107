"""The JSON summary: the one machine-readable verdict every other report agrees with.

JUnit and HTML are rendered from this dictionary rather than from the
RunResult directly, so the numbers a CI dashboard shows, the numbers a person
reads in the HTML and the numbers in `summary.json` cannot drift apart (the
complaint most often raised against peer tools' JUnit output). The schema in
`contracts/schemas/report.schema.json` describes it; `validate_summary` also
cross-checks the counts, which JSON Schema alone cannot express.
"""

from __future__ import annotations

import platform
import signal
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from promptlog_contract import __version__, contract
from promptlog_contract.types import Finding, RunResult

from ._redact import redact_curl, redact_headers, redact_url

SCHEMA_VERSION = "1.1"
TOOL_NAME = "promptlog-contract"


class InvalidSummary(ValueError):
    """A summary does not match report.schema.json or its counts disagree."""


def finding_dict(finding: Finding) -> dict[str, Any]:
    """`Finding.to_dict()` with credential headers and curl values redacted by name."""
    data = finding.to_dict()
    for side in ("request", "response"):
        part = dict(data[side]) if isinstance(data[side], Mapping) else {}
        if "headers" in part:
            part["headers"] = redact_headers(part["headers"])
        if isinstance(part.get("url"), str):
            part["url"] = redact_url(part["url"])
        data[side] = part
    data["curl"] = redact_curl(finding.curl)
    return data


def _rule_ids(result: RunResult) -> list[str]:
    """Rules in the runner's order, then any rule only a finding names."""
    ids = list(result.rules)
    ids += sorted({f.rule for f in result.findings} - set(ids))
    return ids


def _rule_row(result: RunResult, rule: str) -> dict[str, Any]:
    stats = result.rules.get(rule)
    passed, failed, warned = (stats.passed, stats.failed, stats.warned) if stats else (0, 0, 0)
    not_applicable = stats.not_applicable if stats else 0
    reasons = dict(stats.reasons) if stats else {}
    mine = [f for f in result.findings if f.rule == rule]
    open_failures = [f for f in mine if f.level == "failure" and not f.baselined]
    baselined = [f for f in mine if f.level == "failure" and f.baselined]
    warnings = [f for f in mine if f.level == "warning"]
    # Counts and findings may disagree (the runner dedupes findings); the gate
    # follows the findings, so the status does too.
    failed = max(failed, len(open_failures) + len(baselined))
    warned = max(warned, len(warnings))
    if open_failures:
        status = "fail"
    elif warned:
        status = "warn"
    elif passed or failed:
        status = "pass"
    else:
        status = "skip"  # the rule judged nothing: not evidence of conformance
    return {
        "passed": passed,
        "failed": failed,
        "warned": warned,
        "baselined": len(baselined),
        "not_applicable": not_applicable,
        "reasons": reasons,
        "status": status,
    }


def _plain(value: Any) -> Any:
    """A JSON-shaped copy of runner-written free-form data (phases may hold any value)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _versions(result: RunResult) -> dict[str, str]:
    versions = {"tool": __version__, "python": platform.python_version()}
    versions.update({str(k): str(v) for k, v in result.versions.items()})
    return versions


def _coverage(result: RunResult) -> tuple[dict[str, Any], list[dict[str, str]]]:
    coverage: dict[str, dict[str, dict[str, int]]] = {}
    gaps: list[dict[str, str]] = []
    for dimension, variants in result.coverage.items():
        coverage[dimension] = {}
        for variant, counts in variants.items():
            sent, observed = int(counts.get("sent", 0)), int(counts.get("observed", 0))
            coverage[dimension][variant] = {"sent": sent, "observed": observed}
            if sent == 0:
                gaps.append({"dimension": dimension, "variant": variant})
    return coverage, gaps


#: Verdicts of a run that did not judge the contract to the end (a JUnit error).
_NO_VERDICT = frozenset({"unhealthy", "inconclusive", "interrupted"})


def unhealthy_reason(result: RunResult) -> str | None:
    """Why the target is unhealthy: its failure, or (for an otherwise clean run) the cleanup's."""
    if result.unhealthy is not None:
        return result.unhealthy
    if result.verdict == "unhealthy":
        return (
            f"cleanup failed ({result.cleanup_error or 'unknown'}): "
            f"{len(result.leftovers)} scratch logs left on the target, see leftovers"
        )
    return None


def _signal_name(signum: int | None) -> str | None:
    if signum is None:
        return None
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def summary_dict(
    result: RunResult, *, kill_matrix: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The content of `summary.json` for `result` (see report.schema.json)."""
    rules = {rule: _rule_row(result, rule) for rule in _rule_ids(result)}
    failures = [finding_dict(f) for f in result.failures]
    warnings = [finding_dict(f) for f in result.warnings]
    baselined = [finding_dict(f) for f in result.findings if f.baselined and f.level == "failure"]
    statuses = [row["status"] for row in rules.values()]
    coverage, gaps = _coverage(result)
    summary: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "verdict": result.verdict,
        "exit_code": result.exit_code,
        "seed": result.seed,
        "profile": result.profile,
        "strict": result.strict,
        "versions": _versions(result),
        "contract_hash": result.contract_hash,
        "target_url": redact_url(result.target_url),
        "started_at": result.started_at,
        "duration_s": round(float(result.duration_s), 3),
        "requests": {
            "sent": result.requests_sent,
            "by_status": {str(k): int(v) for k, v in result.requests_by_status.items()},
        },
        "rules": rules,
        "totals": {
            "rules": len(rules),
            "passed_rules": statuses.count("pass"),
            "failed_rules": statuses.count("fail"),
            "warned_rules": statuses.count("warn"),
            "skipped_rules": statuses.count("skip"),
            "errors": int(result.verdict in _NO_VERDICT),
            "failures": len(failures),
            "warnings": len(warnings),
            "baselined": len(baselined),
        },
        "failures": failures,
        "warnings": warnings,
        "baselined": baselined,
        "coverage": coverage,
        "coverage_gaps": gaps,
        "unhealthy": unhealthy_reason(result),
        "interrupted": _signal_name(result.interrupted_by),
        "not_exercised": dict(result.not_exercised),
        "excused": dict(result.excused),
        "leftovers": list(result.leftovers),
        "phases": {str(k): _plain(v) for k, v in result.phases.items()},
        "baseline": dict(result.baseline) if result.baseline is not None else None,
    }
    if kill_matrix is not None:
        summary["kill_matrix"] = _plain(kill_matrix)
    return summary


def _cross_check(summary: Mapping[str, Any]) -> list[str]:
    """Agreements JSON Schema cannot state: totals against the lists they count."""
    totals, rules = summary["totals"], summary["rules"]
    statuses = [row["status"] for row in rules.values()]
    expected = {
        "rules": len(rules),
        "passed_rules": statuses.count("pass"),
        "failed_rules": statuses.count("fail"),
        "warned_rules": statuses.count("warn"),
        "skipped_rules": statuses.count("skip"),
        "failures": len(summary["failures"]),
        "warnings": len(summary["warnings"]),
        "baselined": len(summary["baselined"]),
        "errors": int(summary["verdict"] in _NO_VERDICT),
    }
    problems = [
        f"totals.{key} is {totals[key]}, expected {value}"
        for key, value in expected.items()
        if totals[key] != value
    ]
    failing_rules = {name for name, row in rules.items() if row["status"] == "fail"}
    if {f["rule"] for f in summary["failures"]} != failing_rules:
        problems.append("the rules marked fail are not the rules of the failures")
    expired = bool(summary["baseline"] and summary["baseline"]["expired"])
    if summary["verdict"] == "pass" and expired:
        problems.append("verdict is pass although baseline entries expired")
    if summary["verdict"] == "fail" and not (summary["failures"] or expired):
        problems.append("verdict is fail without failures or expired baseline entries")
    if summary["verdict"] == "pass" and (summary["not_exercised"] or summary["leftovers"]):
        problems.append("verdict is pass although rules went unjudged or logs were left")
    return problems


def validate_summary(summary: Mapping[str, Any]) -> None:
    """Raise InvalidSummary unless `summary` matches the schema and its counts agree."""
    validator = Draft202012Validator(
        contract.report_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    error = best_match(validator.iter_errors(summary))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "<root>"
        raise InvalidSummary(f"summary.json invalid at {where}: {error.message}")
    problems = _cross_check(summary)
    if problems:
        raise InvalidSummary("summary.json inconsistent: " + "; ".join(problems))
