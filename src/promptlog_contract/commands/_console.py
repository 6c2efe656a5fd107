"""What a person sees at the end of a run: the verdict, the per-rule table, where reports are."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from promptlog_contract.types import RunResult

_MARK = {"pass": "PASS", "fail": "FAIL", "unhealthy": "UNHEALTHY"}


def print_verdict(result: RunResult, paths: Mapping[str, Path], *, quiet: bool = False) -> None:
    """Print the per-rule table (unless quiet) and the one-line verdict to stdout."""
    if not quiet:
        print()
        width = max(len(rule) for rule in result.rules) if result.rules else 10
        print(f"{'rule':<{width}}  {'passed':>7} {'failed':>7} {'warned':>7}")
        for rule, stats in result.rules.items():
            flag = " <-- FAIL" if stats.failed else (" (warn)" if stats.warned else "")
            print(f"{rule:<{width}}  {stats.passed:>7} {stats.failed:>7} {stats.warned:>7}{flag}")
        for finding in result.failures[:20]:
            message = finding.message.strip().splitlines()[0][:300] if finding.message else ""
            print(f"\n[{finding.id}] {finding.rule} ({finding.reproducibility}): {message}")
            print(f"    {finding.curl[:300]}")
        if len(result.failures) > 20:
            print(f"\n... {len(result.failures) - 20} more failures in the report")
        print()
    if result.unhealthy:
        print(f"target unhealthy: {result.unhealthy}")
    print(
        f"{_MARK[result.verdict]}: {len(result.failures)} failures, {len(result.warnings)} "
        f"warnings, {result.requests_sent} requests in {result.duration_s:.1f}s "
        f"(seed {result.seed}, exit {result.exit_code}) -> {paths.get('html', '')}"
    )
