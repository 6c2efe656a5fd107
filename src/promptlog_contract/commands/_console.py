"""What a person sees at the end of a run: the rule table, the distinct findings, the verdict.

The terminal is where a developer decides what to do next, so after the rule
table each distinct finding gets one line of cause, its minimal body on one
line, and the command that replays it; warnings are listed the same way.
Nothing printed here is meant to be pasted into a shell except the replay
command, so bodies are cut with an ellipsis rather than left as a dangling
quote, and control characters from a server's answer are shown escaped.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path

from promptlog_contract._secrets import Scrubber, escape_controls
from promptlog_contract.types import Finding, RunResult

_MARK = {
    "pass": "PASS",
    "fail": "FAIL",
    "unhealthy": "UNHEALTHY",
    "inconclusive": "INCONCLUSIVE",
    "interrupted": "INTERRUPTED",
}
_WIDTH = 100
_SHOWN = 20


def plural(count: int, noun: str) -> str:
    """'1 failure', '2 failures', '1 distinct finding', '3 entries'."""
    if count == 1:
        return f"1 {noun}"
    if noun.endswith("y") and not noun.endswith(("ay", "ey", "oy")):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def printable(text: str) -> str:
    """`text` with control characters escaped (\\n, \\x1b, \\u2028...), so a line stays a line."""
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        else:
            escaped = json.dumps(char)[1:-1]
            out.append(escaped if escaped != char else f"\\u{ord(char):04x}")
    return "".join(out)


def cut(text: str, width: int) -> str:
    """One line of at most `width` characters, ending in an ellipsis when cut."""
    line = printable(text)
    return line if len(line) <= width else line[: width - 1] + "…"


def _body(finding: Finding) -> str | None:
    recipe = finding.sequence.get("recipe") if finding.sequence else None
    body = recipe.get("body") if isinstance(recipe, dict) else None
    if body is not None:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    text = finding.request.get("body") if isinstance(finding.request, dict) else None
    return text if isinstance(text, str) else None


def _cause(finding: Finding) -> str:
    lines = finding.message.strip().splitlines() if finding.message else []
    return lines[0] if lines else finding.violation


def _replay(finding: Finding, report_dir: Path | None) -> str:
    short = "F" + finding.id.lstrip("F").lstrip("0") if finding.id.startswith("F") else finding.id
    where = "" if report_dir in (None, Path("reports")) else f" --report-dir {report_dir}"
    return f"promptlog-contract replay {short}{where}"


def print_findings(
    findings: list[Finding], title: str, report_dir: Path | None, *, replay: bool = True
) -> None:
    """Each distinct finding: id, rule, label, count, cause, minimal body, replay command."""
    if not findings:
        return
    print(f"\n{title}:")
    for finding in findings[:_SHOWN]:
        seen = plural(finding.occurrences, "occurrence")
        where = finding.signature.get("location") if finding.signature else ""
        at = f" at {where}" if where else ""
        head = f"[{finding.id}] {finding.rule}{at} ({finding.reproducibility}, {seen})"
        print(cut(head, _WIDTH))
        print("    " + cut(_cause(finding), _WIDTH - 4))
        body = _body(finding)
        if body is not None:
            print("    body: " + cut(body, _WIDTH - 10))
        if replay:
            print("    " + _replay(finding, report_dir))
    if len(findings) > _SHOWN:
        print(f"... {plural(len(findings) - _SHOWN, 'more finding')} in the report")


def _rule_flag(result: RunResult, rule: str) -> str:
    stats = result.rules[rule]
    mine = [f for f in result.findings if f.rule == rule and f.level == "failure"]
    if any(not f.baselined for f in mine) or (stats.failed and not mine):
        return " <-- FAIL"
    if mine:
        return " (baselined)"
    return " (warn)" if stats.warned else ""


def _baseline_line(result: RunResult) -> str | None:
    if not result.baseline:
        return None
    counts = [
        plural(len(result.baseline.get(key) or []), f"{word} entry")
        for key, word in (("matched", "baselined"), ("stale", "stale"), ("expired", "expired"))
    ]
    return "baseline: " + ", ".join(counts)


def print_verdict(
    result: RunResult,
    paths: Mapping[str, Path],
    *,
    quiet: bool = False,
    secrets: Sequence[str] = (),
    report_dir: Path | None = None,
) -> None:
    """Print the rule table, findings and warnings (unless quiet) and the verdict to stdout."""
    failures = result.failures
    if not quiet:
        print()
        width = max(len(rule) for rule in result.rules) if result.rules else 10
        print(f"{'rule':<{width}}  {'passed':>7} {'failed':>7} {'warned':>7} {'n/a':>7}")
        for rule, stats in result.rules.items():
            flag = _rule_flag(result, rule) or (" (not exercised)" if not stats.judged else "")
            print(
                f"{rule:<{width}}  {stats.passed:>7} {stats.failed:>7} {stats.warned:>7} "
                f"{stats.not_applicable:>7}{flag}"
            )
        print_findings(failures, "distinct findings", report_dir)
        if result.warnings:
            print_findings(result.warnings, "warnings", report_dir, replay=False)
            print(
                "    (behaviour the documentation leaves open: fails only with --strict; "
                "see contracts/AMBIGUITIES.md)"
            )
        expired = (result.baseline or {}).get("expired") or []
        for entry in expired:
            print(
                f"\nexpired baseline entry: {entry.get('rule')} {entry.get('fingerprint')} "
                f"(owner {entry.get('owner')}, expired {entry.get('expires')}): "
                "fix the bug or renew the entry"
            )
        print()
    safe = Scrubber(secrets)
    for line in _status_lines(result):
        print(escape_controls(safe.text(line)))
    occurrences = sum(f.occurrences for f in failures)
    extra = _baseline_line(result)
    print(
        f"{_MARK[result.verdict]}: {plural(occurrences, 'failure')}, "
        f"{plural(len(failures), 'distinct finding')}, "
        f"{plural(len(result.warnings), 'warning')}"
        + (f"; {extra}" if extra else "")
        + f"; {plural(result.requests_sent, 'request')} in {result.duration_s:.1f}s "
        f"(seed {result.seed}, exit {result.exit_code}) -> {paths.get('html', '')}"
    )


def _status_lines(result: RunResult) -> list[str]:
    """Why the verdict is not a plain pass: interruption, unhealth, rules unjudged, leftovers."""
    lines = []
    if result.interrupted_by is not None:
        name = signal.Signals(result.interrupted_by).name
        lines.append(f"interrupted by {name}: the reports hold what was found until then")
    if result.unhealthy:
        # Not a contract verdict: what was seen before the target failed is listed above.
        lines.append(
            f"target unreachable or unhealthy: {result.unhealthy} "
            "(exit 3: the contract was not judged to the end; not a violation)"
        )
    if result.not_exercised:
        names = ", ".join(result.not_exercised)
        verdict = "the run is inconclusive" if result.verdict == "inconclusive" else "see why"
        lines.append(f"rules {names} never exercised ({verdict}):")
        lines += [f"  {rule}: {why}" for rule, why in result.not_exercised.items()]
    for rule, why in result.excused.items():
        lines.append(f"not exercised (allowed, see README): {rule}: {why}")
    if result.leftovers or result.cleanup_error:
        lines.append(
            f"cleanup failed ({result.cleanup_error or 'unknown'}): "
            f"{len(result.leftovers)} scratch logs left on the target; delete them: "
            + ", ".join(result.leftovers[:50])
            + (
                f" ... and {len(result.leftovers) - 50} more (all in summary.json `leftovers`)"
                if len(result.leftovers) > 50
                else ""
            )
        )
    return lines
