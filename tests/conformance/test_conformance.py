"""The conformance suite run against a target, one test item per rule.

`pytest tests/conformance --base-url URL --api-key KEY` judges a live target;
without --base-url it judges the bundled (faithful) mock, which must pass.
"""

from __future__ import annotations

import pytest

from promptlog_contract.checks import check_names
from promptlog_contract.types import RunResult


def _describe(result: RunResult, rule: str) -> str:
    lines = [f"{rule} failed against {result.target_url} (seed {result.seed}):"]
    for finding in result.failures:
        if finding.rule == rule:
            lines.append(f"  [{finding.id}] {finding.message}\n    {finding.curl[:500]}")
    return "\n".join(lines)


def test_target_is_healthy(contract_result: RunResult) -> None:
    assert contract_result.unhealthy is None, contract_result.unhealthy


@pytest.mark.parametrize("rule", check_names())
def test_rule_holds(contract_result: RunResult, rule: str) -> None:
    if rule in contract_result.excused:
        pytest.skip(f"{rule} not exercised (allowed): {contract_result.excused[rule]}")
    assert contract_result.rules[rule].judged > 0, (
        f"{rule} was never exercised: {contract_result.not_exercised.get(rule)}"
    )
    assert not [f for f in contract_result.failures if f.rule == rule], _describe(
        contract_result, rule
    )


def test_schemathesis_checks_hold(contract_result: RunResult) -> None:
    rules = [r for r in contract_result.rules if r.startswith("schemathesis:")]
    assert rules, "the Schemathesis phase did not run"
    failing = [r for r in rules if contract_result.rules[r].failed]
    assert not failing, "\n".join(_describe(contract_result, r) for r in failing)
