"""report.html draws the bad-value kind axis as a family-by-kind matrix; summary.json keeps it."""

from __future__ import annotations

import re

from promptlog_contract.reporting import render_html, summary_dict
from promptlog_contract.reporting._html_kinds import kind_matrix
from promptlog_contract.types import RunResult

KINDS = {
    "prompt_tokens.type:fractional": {"sent": 2, "observed": 2},
    "prompt_tokens.type:numeric_string": {"sent": 1, "observed": 0},
    "prompt_tokens.type:boolean": {"sent": 0, "observed": 0},
    "tool_choice.enum:wrong_case": {"sent": 1, "observed": 1},
}


def _squares(html: str) -> dict[str, str]:
    """'family × kind' -> the square's css class."""
    found = re.findall(r'<td class="(\w+)" title="([^"]+?):', html)
    return {title.replace("&#x27;", "'"): css for css, title in found}


def test_kind_matrix_hatches_never_sent_pairs_and_blanks_what_does_not_apply() -> None:
    html = kind_matrix(KINDS)
    assert _squares(html) == {
        "prompt_tokens.type × fractional": "observed",
        "prompt_tokens.type × numeric_string": "unobserved",
        "prompt_tokens.type × boolean": "never",
        "tool_choice.enum × wrong_case": "observed",
    }
    # Four kinds, two families: the three kinds tool_choice.enum lacks are empty squares.
    assert html.count('class="na"') == 3 + 1
    assert "1 never sent" in html


def test_report_draws_the_kind_axis_from_the_summary(passing_result: RunResult) -> None:
    passing_result.coverage["invalid_kind"] = dict(KINDS)
    summary = summary_dict(passing_result)
    assert summary["coverage"]["invalid_kind"] == KINDS
    assert {"dimension": "invalid_kind", "variant": "prompt_tokens.type:boolean"} in summary[
        "coverage_gaps"
    ]
    html = render_html(summary)
    assert 'table class="kinds"' in html
    assert _squares(html)["prompt_tokens.type × boolean"] == "never"
