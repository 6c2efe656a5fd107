"""Every seeded fault of the mock is caught by the rule named for it in `EXPECTED_RULE`.

One run of the default suite per fault. The Schemathesis phase is on for a few
faults (where its checks see the fault too, so its findings are shown to land
in the results) and off for the rest to keep the run short; the engine's own
rules must catch every fault without it.
"""

from __future__ import annotations

import pytest

from promptlog_contract.checks import check_names
from promptlog_contract.commands.selfcheck import EXPECTED_RULE
from promptlog_contract.engine import RunConfig, run
from promptlog_contract.mock import FAULTS
from promptlog_contract.types import RunResult

#: Faults run with the Schemathesis phase on, and a Schemathesis check must fail too.
WITH_SCHEMATHESIS = ("crash_on_redacted_thinking", "drop_evaluator_logs")


def _explain(result: RunResult) -> str:
    gaps = sorted(
        f"{dim}={variant}"
        for dim, variants in result.coverage.items()
        for variant, cell in variants.items()
        if cell["sent"] == 0
    )
    failing = sorted({f.rule for f in result.failures})
    return (
        f"exit {result.exit_code}, unhealthy={result.unhealthy}, failing={failing}, "
        f"requests={result.requests_sent}, coverage gaps={gaps}"
    )


def test_every_fault_has_an_expected_rule_holds() -> None:
    assert set(EXPECTED_RULE) == set(FAULTS)
    assert set(EXPECTED_RULE.values()) <= set(check_names())


@pytest.mark.socket
@pytest.mark.parametrize("fault", sorted(EXPECTED_RULE))
def test_run_catches(fault: str) -> None:
    schemathesis = fault in WITH_SCHEMATHESIS
    result = run(
        RunConfig(mock_faults=(fault,), max_examples=30, seed=0, schemathesis=schemathesis)
    )
    failing = {f.rule for f in result.failures}
    assert result.exit_code == 1, _explain(result)
    assert EXPECTED_RULE[fault] in failing, _explain(result)
    if schemathesis:
        assert any(rule.startswith("schemathesis:") for rule in failing), _explain(result)
