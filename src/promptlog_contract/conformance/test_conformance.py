"""The conformance suite run against a target, one test item per rule.

`pytest --pyargs promptlog_contract.conformance` judges the bundled (faithful)
mock, which must pass; `--promptlog-base-url URL` (key from $HUMANLOOP_API_KEY)
judges a live target. The target's health is the session fixture's business: a
target that is down ends the session with one line and exit 3, so every item
here is about one rule.
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


@pytest.mark.parametrize("rule", check_names())
def test_rule_holds(promptlog_result: RunResult, rule: str) -> None:
    if rule in promptlog_result.excused:
        pytest.skip(f"{rule} not exercised (allowed): {promptlog_result.excused[rule]}")
    # A rule that judged nothing did not pass.
    assert promptlog_result.rules[rule].judged > 0, (
        f"{rule} was never exercised: {promptlog_result.not_exercised.get(rule)}"
    )
    assert not [f for f in promptlog_result.failures if f.rule == rule], _describe(
        promptlog_result, rule
    )


def test_schemathesis_checks_hold(promptlog_result: RunResult) -> None:
    rules = [r for r in promptlog_result.rules if r.startswith("schemathesis:")]
    assert rules, "the Schemathesis phase did not run"
    failing = [r for r in rules if promptlog_result.rules[r].failed]
    assert not failing, "\n".join(_describe(promptlog_result, r) for r in failing)
