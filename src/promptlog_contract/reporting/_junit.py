"""junit.xml: one test case per rule, counts taken from the JSON summary.

CI systems show JUnit files as test results, so the file must say the same as
the gate: a rule with an open failure is a failed test, a rule whose only
failures are baselined passes (and says so), an unhealthy target is an
*error*, not a failure. The counts on <testsuite> come from the summary's
totals, and `junit_counts` re-reads them and checks them against the elements
actually present, so a disagreement is caught in our tests rather than by a
user (a known complaint about a peer's JUnit output).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MESSAGE_LIMIT = 300


def xml_safe(value: Any) -> str:
    """`value` as text XML 1.0 can carry: forbidden control characters become \\xNN."""
    text = value if isinstance(value, str) else str(value)
    return _INVALID_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _one_line(text: Any) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"


def _classname(rule: str, phases: Mapping[str, Any]) -> str:
    # The class name must not depend on which phase happened to fail this
    # time: CI tools track a test's history by classname + name.
    for phase, info in phases.items():
        rules = info.get("rules") if isinstance(info, Mapping) else None
        if isinstance(rules, list | tuple) and rule in rules:
            return f"promptlog_contract.{phase}"
    return "promptlog_contract.rules"


def request_line(finding: Mapping[str, Any]) -> str:
    request = finding.get("request") or {}
    return f"{request.get('method', '?')} {request.get('url', '?')}"


def _describe(finding: Mapping[str, Any], index: int, total: int) -> str:
    response = finding.get("response") or {}
    return "\n".join(
        [
            f"[{index}/{total}] {finding.get('violation')} (finding {finding.get('id')}, "
            f"phase {finding.get('phase')}, {finding.get('reproducibility')})",
            f"  {finding.get('message')}",
            f"  request:   {request_line(finding)}",
            f"  response:  {response.get('status', '?')}",
            f"  reproduce: {finding.get('curl') or '(no reproducer)'}",
        ]
    )


def _testcase(parent: ET.Element, summary: Mapping[str, Any], rule: str) -> None:
    row = summary["rules"][rule]
    case = ET.SubElement(
        parent, "testcase", classname=_classname(rule, summary["phases"]), name=xml_safe(rule)
    )
    failures = [f for f in summary["failures"] if f.get("rule") == rule]
    warnings = [f for f in summary["warnings"] if f.get("rule") == rule]
    baselined = [f for f in summary["baselined"] if f.get("rule") == rule]
    if row["status"] == "fail":
        kinds = sorted({str(f.get("violation")) for f in failures})
        failure = ET.SubElement(
            case,
            "failure",
            message=xml_safe(
                f"{len(failures)} failure(s): {_one_line(failures[0].get('message', ''))}"
            ),
            type=xml_safe(", ".join(kinds)),
        )
        failure.text = xml_safe(
            "\n\n".join(_describe(f, i, len(failures)) for i, f in enumerate(failures, 1))
        )
    elif row["status"] == "skip":
        why = summary["not_exercised"].get(rule) or summary["excused"].get(rule)
        message = f"the rule judged no exchange in this run: {why}" if why else None
        ET.SubElement(
            case, "skipped", message=xml_safe(message or "the rule judged no exchange in this run")
        )
    out = [f"passed={row['passed']} failed={row['failed']} warned={row['warned']}"]
    if baselined:
        out.append(
            f"{len(baselined)} known failure(s) accepted by the baseline (not gating): "
            + ", ".join(str(f.get("id")) for f in baselined)
        )
    out += [
        f"warning: {_one_line(f.get('message', ''))}\n  request: {request_line(f)}"
        for f in warnings
    ]
    ET.SubElement(case, "system-out").text = xml_safe("\n".join(out))


def _run_error(suite: ET.Element, summary: Mapping[str, Any]) -> None:
    """One <error> case for a run without a whole verdict: interrupted, unhealthy, inconclusive."""
    if summary["verdict"] == "interrupted":
        name, kind = "run_interrupted", "Interrupted"
        text = f"interrupted by {summary['interrupted']}: the findings until then are kept"
    elif summary["unhealthy"] is not None:
        name, kind = "target_health", "TargetUnhealthy"
        text = f"target unhealthy: {summary['unhealthy']}"
    else:
        name, kind = "run_conclusive", "Inconclusive"
        text = "rules never exercised: " + "; ".join(
            f"{rule}: {why}" for rule, why in summary["not_exercised"].items()
        )
    case = ET.SubElement(suite, "testcase", classname="promptlog_contract.health", name=name)
    error = ET.SubElement(case, "error", message=xml_safe(_one_line(text)), type=kind)
    leftovers = summary["leftovers"]
    error.text = xml_safe(
        f"{text}\n\nThe contract was not judged to the end (exit code {summary['exit_code']})."
        + (f"\nScratch logs left on the target: {', '.join(leftovers)}" if leftovers else "")
    )


def junit_xml(summary: Mapping[str, Any]) -> str:
    """The JUnit XML document for a summary (see summary_dict)."""
    totals = summary["totals"]
    counts = {
        "tests": str(totals["rules"] + totals["errors"]),
        "failures": str(totals["failed_rules"]),
        "errors": str(totals["errors"]),
        "skipped": str(totals["skipped_rules"]),
        "time": f"{float(summary['duration_s']):.3f}",
    }
    root = ET.Element("testsuites", {"name": "promptlog-contract", **counts})
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": "promptlog-contract", "timestamp": xml_safe(summary["started_at"]), **counts},
    )
    properties = ET.SubElement(suite, "properties")
    for name in ("verdict", "exit_code", "target_url", "seed", "profile", "strict"):
        ET.SubElement(properties, "property", name=name, value=xml_safe(summary[name]))
    ET.SubElement(properties, "property", name="contract_hash", value=summary["contract_hash"])
    ET.SubElement(properties, "property", name="tool_version", value=summary["tool"]["version"])
    if totals["errors"]:
        _run_error(suite, summary)
    for rule in summary["rules"]:
        _testcase(suite, summary, rule)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def junit_counts(path: str | Path) -> dict[str, int]:
    """tests/failures/errors/skipped declared in a junit.xml, summed over its suites.

    Raises ValueError when the declared counts disagree with the <testcase>,
    <failure>, <error> and <skipped> elements actually present.
    """
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    declared = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    present = dict.fromkeys(declared, 0)
    for suite in suites:
        for key in declared:
            declared[key] += int(suite.get(key, "0"))
        cases = suite.findall("testcase")
        present["tests"] += len(cases)
        present["failures"] += sum(1 for c in cases if c.find("failure") is not None)
        present["errors"] += sum(1 for c in cases if c.find("error") is not None)
        present["skipped"] += sum(1 for c in cases if c.find("skipped") is not None)
    if declared != present:
        raise ValueError(f"{path}: declared counts {declared} disagree with elements {present}")
    return declared
