"""What a person sees at the end of a run: the verdict, the per-rule table, where reports are."""

from __future__ import annotations

import signal
from collections.abc import Mapping, Sequence
from pathlib import Path

from promptlog_contract._secrets import Scrubber, escape_controls
from promptlog_contract.types import RunResult

_MARK = {
    "pass": "PASS",
    "fail": "FAIL",
    "unhealthy": "UNHEALTHY",
    "inconclusive": "INCONCLUSIVE",
    "interrupted": "INTERRUPTED",
}


def print_verdict(
    result: RunResult,
    paths: Mapping[str, Path],
    *,
    quiet: bool = False,
    secrets: Sequence[str] = (),
) -> None:
    """Print the per-rule table (unless quiet) and the one-line verdict to stdout."""
    if not quiet:
        print()
        width = max(len(rule) for rule in result.rules) if result.rules else 10
        print(f"{'rule':<{width}}  {'passed':>7} {'failed':>7} {'warned':>7} {'n/a':>7}")
        for rule, stats in result.rules.items():
            flag = " <-- FAIL" if stats.failed else (" (warn)" if stats.warned else "")
            flag = flag or (" (not exercised)" if not stats.judged else "")
            print(
                f"{rule:<{width}}  {stats.passed:>7} {stats.failed:>7} {stats.warned:>7} "
                f"{stats.not_applicable:>7}{flag}"
            )
        for finding in result.failures[:20]:
            message = finding.message.strip().splitlines()[0][:300] if finding.message else ""
            print(f"\n[{finding.id}] {finding.rule} ({finding.reproducibility}): {message}")
            print(f"    {finding.curl[:300]}")
        if len(result.failures) > 20:
            print(f"\n... {len(result.failures) - 20} more failures in the report")
        print()
    safe = Scrubber(secrets)
    for line in _status_lines(result):
        print(escape_controls(safe.text(line)))
    print(
        f"{_MARK[result.verdict]}: {len(result.failures)} failures, {len(result.warnings)} "
        f"warnings, {result.requests_sent} requests in {result.duration_s:.1f}s "
        f"(seed {result.seed}, exit {result.exit_code}) -> {paths.get('html', '')}"
    )


def _status_lines(result: RunResult) -> list[str]:
    """Why the verdict is not a plain pass: interruption, unhealth, rules unjudged, leftovers."""
    lines = []
    if result.interrupted_by is not None:
        name = signal.Signals(result.interrupted_by).name
        lines.append(f"interrupted by {name}: the reports hold what was found until then")
    if result.unhealthy:
        lines.append(f"target unhealthy: {result.unhealthy}")
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
            + (" ..." if len(result.leftovers) > 50 else "")
        )
    return lines
