"""This repository's own run of the installed conformance suite (kept at the old path).

The suite lives in `promptlog_contract.conformance` so a service repository can
run it with `pytest --pyargs promptlog_contract.conformance`; importing its
tests here makes `pytest` (testpaths = tests) run them exactly once, and keeps
`pytest tests/conformance --promptlog-base-url URL` working in a checkout.
"""

from __future__ import annotations

from promptlog_contract.conformance.test_conformance import (
    test_rule_holds,
    test_schemathesis_checks_hold,
)

__all__ = ["test_rule_holds", "test_schemathesis_checks_hold"]
