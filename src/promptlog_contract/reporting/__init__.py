"""Report writers: summary.json, junit.xml and report.html, from a RunResult only.

Reporting reads results and never imports the runner, checks or strategies,
so a report says exactly what the run recorded. The known-failure baseline
lives here too because it only re-labels findings of a finished run.
"""

from __future__ import annotations

from ._baseline import (
    Baseline,
    BaselineEntry,
    BaselineError,
    apply_baseline,
    baseline_from_summary,
    load_baseline,
)
from ._cli import add_parser, handler
from ._html import render_html
from ._junit import junit_counts, junit_xml
from ._redact import REDACTED, Scrubber
from ._summary import SCHEMA_VERSION, InvalidSummary, summary_dict, validate_summary
from ._write import write_reports

__all__ = [
    "REDACTED",
    "SCHEMA_VERSION",
    "Baseline",
    "BaselineEntry",
    "BaselineError",
    "InvalidSummary",
    "Scrubber",
    "add_parser",
    "apply_baseline",
    "baseline_from_summary",
    "handler",
    "junit_counts",
    "junit_xml",
    "load_baseline",
    "render_html",
    "summary_dict",
    "validate_summary",
    "write_reports",
]
