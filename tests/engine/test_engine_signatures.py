"""Signatures and grouping without a server: one bug is one finding, two bugs never share one."""

from __future__ import annotations

import json
from typing import Any

from promptlog_contract.checks import run_checks
from promptlog_contract.commands._console import cut, plural, printable
from promptlog_contract.engine._findings import Collector, generalise
from promptlog_contract.types import Context, Exchange, HttpRequest, HttpResponse, Violation

CTX = Context(api_key="k" * 24)
BEFORE = {"id": "log_1", "prompt": {"id": "pr_1"}, "messages": [{"role": "user", "content": "x"}]}


def _exchange(sent: dict[str, Any], got: dict[str, Any], before: Any = None) -> Exchange:
    body = {**BEFORE, **got}
    content = json.dumps(body).encode()
    request = HttpRequest("PATCH", "http://t/v5/prompts/p/log/l", {}, json.dumps(sent).encode())
    response = HttpResponse(200, {"content-type": "application/json"}, content, body)
    return Exchange("valid", request, response, sent=sent, before=before or BEFORE)


def _collect(collector: Collector, exchange: Exchange) -> None:
    for check, violation in run_checks(exchange, CTX):
        if isinstance(violation, Violation) and check.name == "patched_fields_applied":
            collector.add(check.name, violation, exchange)


def test_generalise_holds() -> None:
    assert generalise("messages/3/content/1/text") == "messages/*"
    assert generalise("metadata/some key") == "metadata/*"
    assert generalise("thinking") == "thinking"


def test_eleven_failures_one_finding_holds() -> None:
    collector = Collector()
    for n in range(11):
        _collect(collector, _exchange({"metadata": {f"k{n}": n}}, {"metadata": None}))
    [group] = collector.groups()
    assert group.occurrences == 11
    assert group.signature["location"] == "metadata"
    assert len(group.examples) <= 12


def test_different_fields_are_different_findings_holds() -> None:
    collector = Collector()
    _collect(collector, _exchange({"metadata": {"a": 1}}, {"metadata": None}))
    thinking = [
        {"type": "redacted_thinking", "data": "x"},
        {"type": "redacted_thinking", "data": "y"},
    ]
    _collect(
        collector,
        _exchange(
            {"output_message": {"role": "assistant", "thinking": thinking}},
            {"output_message": {"role": "assistant", "thinking": thinking[::-1]}},
        ),
    )
    groups = collector.groups()
    assert len(groups) == 2
    assert len({g.fingerprint for g in groups}) == 2
    assert {g.signature["location"] for g in groups} >= {"metadata"}


def test_one_bug_at_many_places_is_one_finding_holds() -> None:
    # A PATCH that nulls whatever it did not send: which fields break depends on the log.
    collector = Collector()
    fields = ["output", "stdout", "error", "source"]
    for n, sent in enumerate(fields):
        before = {**BEFORE, **{f: "v" for f in fields}}
        got = {f: None for f in fields if f != sent}
        exchange = _exchange({sent: "v"}, {**got, sent: "v"}, before=before)
        for check, violation in run_checks(exchange, CTX):
            if violation is not None and check.name == "omitted_fields_unchanged":
                collector.add(check.name, violation, exchange)
        assert n < len(fields)
    [group] = collector.groups()
    assert group.occurrences == len(fields)
    where = {group.signature["location"], *(a["location"] for a in group.also)}
    assert set(fields) | {"messages"} >= where >= set(fields)


def test_terminal_text_holds() -> None:
    assert plural(1, "failure") == "1 failure"
    assert plural(2, "failure") == "2 failures"
    assert plural(1, "distinct finding") == "1 distinct finding"
    assert plural(3, "stale entry") == "3 stale entries"
    assert printable("a\nb\x1b[31m") == "a\\nb\\u001b[31m"
    line = cut('{"output":"' + "x" * 300 + '"}', 40)
    assert len(line) == 40 and line.endswith("…") and "\n" not in line


def test_terminal_lists_findings_and_verdict_holds(capsys: Any) -> None:
    from pathlib import Path

    from promptlog_contract.commands._console import print_verdict
    from promptlog_contract.types import Finding, RuleStats, RunResult

    finding = Finding(
        id="F001",
        rule="patched_fields_applied",
        violation="PatchedFieldNotApplied",
        level="failure",
        message="a sent field was not applied: metadata: expected {}, got null/absent\x1b[2J",
        kind="valid",
        phase="engine",
        request={"body": '{"metadata":{}}'},
        response={},
        curl="curl ...",
        reproducibility="deterministic",
        signature={"rule": "patched_fields_applied", "location": "metadata"},
        occurrences=11,
        sequence={"recipe": {"body": {"metadata": {"x": "y" * 300}}}},
    )
    result = RunResult(
        target_url="http://t",
        seed=0,
        profile="ci",
        strict=False,
        started_at="2026-11-30T00:00:00+00:00",
        rules={"patched_fields_applied": RuleStats(passed=3, failed=11)},
        findings=[finding],
    )
    print_verdict(result, {"html": Path("r.html")})
    out = capsys.readouterr().out
    assert "FAIL: 11 failures, 1 distinct finding, 0 warnings" in out
    assert "promptlog-contract replay F1" in out
    assert "\x1b" not in out and "\\u001b[2J" in out
    body_line = next(line for line in out.splitlines() if line.strip().startswith("body:"))
    assert body_line.endswith("…") and len(body_line) <= 100
    finding.baselined = True
    result.baseline = {"matched": [{"rule": "x"}], "stale": [], "expired": []}
    print_verdict(result, {"html": Path("r.html")})
    out = capsys.readouterr().out
    assert "<-- FAIL" not in out
    assert "PASS: 0 failures, 0 distinct findings" in out
    assert "baseline: 1 baselined entry, 0 stale entries, 0 expired entries" in out
