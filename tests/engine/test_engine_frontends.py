"""The selfcheck front end gives the verdicts the engine gives.

It runs the suite against the faithful mock and seeded faults, so it is marked
slow. The pytest front end has its own tests in tests/plugin.
"""

from __future__ import annotations

import pytest

from promptlog_contract.commands.selfcheck import EXPECTED_RULE, selfcheck


@pytest.mark.slow
@pytest.mark.socket
def test_selfcheck_catches_auth_optional_and_stale_get() -> None:
    faults = ["auth_optional", "stale_get"]
    matrix, faithful = selfcheck(faults=faults, max_examples=15, peers=True)
    assert faithful.exit_code == 0
    assert matrix["faithful"]["failures"] == 0
    totals = matrix["totals"]
    assert (totals["faults"], totals["caught"], totals["faithful_failures"]) == (2, 2, 0)
    assert matrix["faithful"]["peers"]["schemathesis"]["requests"] > 0
    for fault in faults:
        entry = matrix["faults"][fault]
        assert entry["expected_rule"] == EXPECTED_RULE[fault]
        assert entry["expected_rule_failed"], entry["caught_by"]
        peer = entry["peers"]["schemathesis"]
        assert peer["requests"] > 0, peer
        assert peer["exit_code"] in (0, 1), peer
