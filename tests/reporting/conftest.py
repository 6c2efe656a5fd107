"""Hand-built RunResults for the report writers: passing, failing, unhealthy.

The writers read only a RunResult, so these fixtures are all they need: no
runner, no server. SECRET is planted wherever a careless runner could leave it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from promptlog_contract.types import Finding, RuleStats, RunResult

#: A key with characters that change under URL, JSON and HTML escaping.
SECRET = "hl_sk_T0p/Secr3t+key=\"<&>'x"
TARGET = "http://127.0.0.1:8765"
LOG_URL = f"{TARGET}/v5/prompts/pr_1/log/log_1"
FindingFactory = Callable[..., Finding]


def _finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "id": "F1",
        "rule": "response_matches_union",
        "violation": "UnionMismatch",
        "level": "failure",
        "message": "200 body is not a PromptLogResponse: prompt: 'id' is a required property",
        "kind": "valid",
        "phase": "engine",
        "request": {
            "method": "PATCH",
            "url": LOG_URL,
            "headers": {"content-type": "application/json", "X-API-KEY": "[REDACTED]"},
            "body": {"output": "hello", "metadata": {"k": 1}},
        },
        "response": {
            "status": 200,
            "headers": {"content-type": "application/json"},
            "body": {"id": "log_1", "prompt": {"name": "p"}},
        },
        "curl": f"curl -X PATCH '{LOG_URL}' -H 'X-API-KEY: $HUMANLOOP_API_KEY' "
        "-H 'content-type: application/json' -d '{\"output\":\"hello\"}'",
        "reproducibility": "deterministic",
        "label": None,
        "fingerprint": "fp-union-1",
    }
    fields.update(overrides)
    return Finding(**fields)


def _result(**overrides: Any) -> RunResult:
    fields: dict[str, Any] = {
        "target_url": TARGET,
        "seed": 12345,
        "profile": "ci",
        "strict": False,
        "started_at": "2026-11-26T10:00:00+00:00",
        "duration_s": 12.5,
        "requests_sent": 240,
        "requests_by_status": {"200": 180, "422": 50, "404": 10},
        "versions": {"schemathesis": "4.32.5", "hypothesis": "6.170.17"},
        "contract_hash": "a" * 64,
        "phases": {
            "engine": {"requests": 200, "rules": ["response_matches_union"]},
            "first_failure_s": {"response_matches_union": 1.5},
        },
        "coverage": {
            "tool_choice": {
                "none": {"sent": 12, "observed": 12},
                "auto": {"sent": 9, "observed": 9},
                "required": {"sent": 7, "observed": 7},
                "function": {"sent": 5, "observed": 5},
            },
            "status": {
                "200": {"sent": 180, "observed": 180},
                "422": {"sent": 50, "observed": 50},
            },
        },
    }
    fields.update(overrides)
    return RunResult(**fields)


@pytest.fixture
def make_finding() -> FindingFactory:
    return _finding


@pytest.fixture
def passing_result() -> RunResult:
    return _result(
        rules={
            "response_matches_union": RuleStats(passed=180),
            "omitted_fields_unchanged": RuleStats(passed=150),
            "invalid_body_rejected": RuleStats(passed=50),
        }
    )


@pytest.fixture
def failing_result() -> RunResult:
    """Two failures in two rules, one warning, a never-exercised variant, an idle rule."""
    result = _result(
        rules={
            "response_matches_union": RuleStats(passed=179, failed=1),
            "omitted_fields_unchanged": RuleStats(passed=149, failed=1),
            "invalid_body_rejected": RuleStats(passed=49, warned=1),
            "auth_enforced": RuleStats(passed=4),
            "repeat_is_stable": RuleStats(),
        },
        findings=[
            _finding(),
            _finding(
                id="F2",
                rule="omitted_fields_unchanged",
                violation="OmittedFieldChanged",
                message="metadata changed although the PATCH did not send it",
                fingerprint="fp-omitted-1",
                reproducibility="flaky (2 of 3)",
            ),
            _finding(
                id="W1",
                rule="invalid_body_rejected",
                violation="InvalidBodyAccepted",
                level="warning",
                kind="invalid",
                message="a lax-coercible body was accepted: temperature '0.5' is a string",
                label={"path": ["temperature"], "rule": "type", "severity": "lax-coercible"},
                fingerprint="fp-lax-1",
            ),
        ],
    )
    result.coverage["tool_choice"]["function"] = {"sent": 0, "observed": 0}
    result.coverage["status"]["404"] = {"sent": 3, "observed": 0}
    return result


@pytest.fixture
def unhealthy_result() -> RunResult:
    return _result(
        unhealthy="5 consecutive connection errors (connection refused)",
        requests_sent=5,
        requests_by_status={"error": 5},
        rules={"response_matches_union": RuleStats()},
        phases={"probes": {"duration_s": 0.2}, "stopped": "circuit breaker open"},
    )


@pytest.fixture
def secret() -> str:
    return SECRET
