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
