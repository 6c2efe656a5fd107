"""What `--help` shows beyond each option's text: its default, and the command's exit codes.

CI gates on exit codes, so every `--help` ends with the codes that command
can return; the numbers come from `errors`, the one place they are defined.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from promptlog_contract.errors import EXIT_OK, EXIT_UNHEALTHY, EXIT_USAGE, EXIT_VIOLATIONS

#: The codes of `run` and `fuzz` (and, with their own wording, of every other command).
RUN_EXIT_CODES: tuple[tuple[int | str, str], ...] = (
    (EXIT_OK, "the target conforms (warnings allowed unless --strict)"),
    (EXIT_VIOLATIONS, "contract violations (or an expired baseline entry)"),
    (EXIT_USAGE, "usage or configuration error: one line on stderr, nothing judged"),
    (
        EXIT_UNHEALTHY,
        "target unreachable or unhealthy, scratch logs left behind, or an inconclusive run\n"
        "(never reported as a violation)",
    ),
    ("130/143", "interrupted by SIGINT/SIGTERM: reports written, verdict interrupted"),
)


def exit_codes(rows: Sequence[tuple[int | str, str]] = RUN_EXIT_CODES) -> str:
    """An epilog listing `rows` as `exit codes:` lines."""
    width = max(len(str(code)) for code, _ in rows) + 2
    return "exit codes:\n" + "\n".join(
        f"  {code!s:<{width}}" + text.replace("\n", "\n" + " " * (2 + width)) for code, text in rows
    )


class HelpFormatter(argparse.HelpFormatter):
    """Text with line breaks (epilogs) as written, the rest wrapped; each option's default
    appended unless its help already names one.

    No default is shown for options without one (None, off flags, empty lists),
    nor for those whose help says where the default comes from (an environment
    variable's value, such as the API key, is never printed).
    """

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or not action.option_strings
            or default is None
            or default is False
            or default == []
            or default is argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"
