"""The Action's job summary: summary.json as Markdown for $GITHUB_STEP_SUMMARY.

`python summary.py REPORT_DIR/summary.json EXIT_CODE` prints the verdict, the
rule table (the same counts as junit.xml) and the failures. It reads only the
report, which the suite has already scrubbed of the key; it scrubs the raw key
from $HUMANLOOP_API_KEY once more, because this page is public to the repo.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

_VERDICTS = {0: "pass", 1: "fail", 2: "error", 3: "unhealthy"}
_MAX_FAILURES = 20


def _cell(value: object, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    text = text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(summary: dict[str, Any] | None, exit_code: int) -> str:
    """The Markdown page for one run (`summary` is None when no report was written)."""
    verdict = _VERDICTS.get(exit_code, "error")
    lines = [f"## promptlog-contract: {verdict.upper()} (exit {exit_code})", ""]
    if summary is None:
        lines.append("No summary.json was written: the run stopped before judging (see the log).")
        return "\n".join(lines) + "\n"
    totals = summary.get("totals", {})
    lines += [
        f"Target `{_cell(summary.get('target_url', '?'))}`, profile "
        f"`{summary.get('profile')}`, seed `{summary.get('seed')}`: "
        f"{totals.get('failures', 0)} failure(s), {totals.get('warnings', 0)} warning(s), "
        f"{summary.get('requests', {}).get('sent', 0)} request(s).",
        "",
    ]
    if summary.get("unhealthy"):
        lines += [f"**Target unhealthy:** {_cell(summary['unhealthy'], 300)}", ""]
    lines += ["| rule | status | passed | failed | warned |", "|---|---|---:|---:|---:|"]
    for rule, counts in summary.get("rules", {}).items():
        lines.append(
            f"| `{_cell(rule)}` | {counts.get('status')} | {counts.get('passed', 0)} "
            f"| {counts.get('failed', 0)} | {counts.get('warned', 0)} |"
        )
    failures = summary.get("failures", [])
    if failures:
        lines += ["", "### Failures", ""]
        for finding in failures[:_MAX_FAILURES]:
            lines.append(
                f"- **{_cell(finding.get('id'))}** `{_cell(finding.get('rule'))}`: "
                f"{_cell(finding.get('message'), 300)}"
            )
        if len(failures) > _MAX_FAILURES:
            lines.append(f"- … and {len(failures) - _MAX_FAILURES} more in report.html")
    lines += ["", "Full reports (summary.json, junit.xml, report.html) are in the job's artifacts."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    path, exit_code = Path(argv[0]), int(argv[1])
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        summary = None
    page = render(summary, exit_code)
    key = os.environ.get("HUMANLOOP_API_KEY", "")
    if len(key) >= 4:
        page = page.replace(key, "[REDACTED]")
    sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
