"""`--help` explains itself: every option of every subcommand has help, defaults and exit codes.

The parsers are walked rather than listed, so an option added tomorrow
without help text fails here.
"""

from __future__ import annotations

import argparse
import re

import pytest

from promptlog_contract.cli import build_parser, main
from promptlog_contract.commands._help import HelpFormatter

SECRET = "sk-help-secret-0123456789abcdef"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def _help_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return capsys.readouterr().out


def undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """Every option or positional of `parser` (and its subcommands) without help text."""
    missing = []
    for name, sub in _subparsers(parser).items():
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not (action.help or "").strip() or action.help is argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_option_of_every_subcommand_has_help() -> None:
    assert undocumented(build_parser()) == []


def test_undocumented_option_is_caught() -> None:
    parser = build_parser()
    _subparsers(parser)["run"].add_argument("--planted")
    assert undocumented(parser) == ["run --planted"]


def test_every_subcommand_has_a_description_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    top = _help_of([], capsys)
    assert "exit codes:" in top
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"^  {code} ", top, re.MULTILINE), top
    for name, sub in _subparsers(build_parser()).items():
        assert sub.description, name
        text = _help_of([name], capsys)
        assert "\nexit codes:\n  0 " in text, name
        assert re.search(r"^  2 +usage", text, re.MULTILINE), name


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("run", "--timeout SECONDS per-read (and connect) timeout in seconds"),
        ("run", "(default: reports)"),
        ("run", "fuzz: 10m unless"),
        ("run", "(default: ci)"),
        ("fuzz", "--max-time (10m unless given)"),
        ("diff", "valid bodies drawn, and as many invalid ones (default: 40)"),
        ("diff", "the same seed sends the same requests (default: 0)"),
        ("replay", "FAILURE_ID a finding's id"),
        ("mock", "(default: 8000)"),
        ("load", "(default: 60s)"),
        ("cache", "--clear"),
    ],
)
def test_help_names_units_and_defaults(
    command: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Compared with the wrapping undone: where argparse breaks a line is not the point.
    assert expected in " ".join(_help_of([command], capsys).split())


def test_help_never_prints_the_key_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUMANLOOP_API_KEY", SECRET)
    for name in _subparsers(build_parser()):
        assert SECRET not in _help_of([name], capsys), name


def test_formatter_appends_defaults_only_where_they_say_something() -> None:
    parser = argparse.ArgumentParser(formatter_class=HelpFormatter)
    parser.add_argument("--shown", default=7, help="a number")
    parser.add_argument("--said", default=7, help="a number (default: seven)")
    parser.add_argument("--none", help="nothing by default")
    parser.add_argument("--flag", action="store_true", help="a flag")
    parser.add_argument("--many", action="append", default=[], help="repeatable")
    text = parser.format_help()
    assert text.count("(default: 7)") == 1
    assert "a number (default: seven)\n" in text
    assert "(default: None)" not in text and "(default: False)" not in text
    assert "(default: [])" not in text
