"""The command line: `promptlog-contract` and its subcommands.

The subcommands: `run`, `fuzz`, `replay`, `mock`, `baseline`, `selfcheck`,
`diff`, `load`, `cache`.

Only assembles the subcommands (each in its own module with its own
`add_parser`) and turns user errors into one line and exit code 2; the exit
codes are documented in `errors` and README.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from promptlog_contract import __version__, load
from promptlog_contract.commands import cache, diff, replay, run, selfcheck
from promptlog_contract.commands._help import HelpFormatter, exit_codes
from promptlog_contract.errors import EXIT_USAGE, ConfigurationError, UsageError
from promptlog_contract.mock import _cli as mock_command
from promptlog_contract.reporting import _cli as baseline_command

#: In the order `--help` lists them.
SUBCOMMANDS = (run, replay, mock_command, baseline_command, selfcheck, diff, load, cache)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every subcommand's parser shows defaults and keeps its exit-code epilog as written.
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"promptlog-contract: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="promptlog-contract",
        description="Contract tests for Humanloop's Update Prompt Log endpoint.",
        epilog=exit_codes() + "\n\nEach command's --help lists its options and exit codes.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub: Any = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in SUBCOMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except (UsageError, ConfigurationError) as exc:
        print(f"promptlog-contract: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("promptlog-contract: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
