"""`promptlog-contract baseline --from summary.json`: writes a loadable file or exits 2."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from promptlog_contract.reporting import add_parser, load_baseline, write_reports
from promptlog_contract.types import RunResult


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="promptlog-contract")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def _run(*argv: str) -> int:
    args = _parse(*argv)
    code: int = args.func(args)
    return code


def test_baseline_command_writes_a_loadable_file(
    failing_result: RunResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = write_reports(failing_result, tmp_path / "reports")["summary"]
    out = tmp_path / "baseline.yaml"
    assert _run("baseline", "--from", str(summary), "--owner", "ana", "-o", str(out)) == 0
    loaded = load_baseline(out)
    assert [e.fingerprint for e in loaded.entries] == ["fp-union-1", "fp-omitted-1"]
    assert {e.owner for e in loaded.entries} == {"ana"}
    assert {e.expires for e in loaded.entries} == {date.today() + timedelta(days=30)}
    assert "wrote 2 entries" in capsys.readouterr().out


def test_baseline_command_writes_json_with_given_expiry(
    failing_result: RunResult, tmp_path: Path
) -> None:
    summary = write_reports(failing_result, tmp_path / "reports")["summary"]
    out = tmp_path / "known.json"
    assert _run("baseline", "--from", str(summary), "--expires", "2099-01-31", "-o", str(out)) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["entries"][0]["expires"] == "2099-01-31"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [(None, "cannot read"), ("{", "not JSON"), ("[]", "not a promptlog-contract summary")],
)
def test_bad_summary_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, complaint: str
) -> None:
    summary = tmp_path / "summary.json"
    if content is not None:
        summary.write_text(content, encoding="utf-8")
    assert _run("baseline", "--from", str(summary), "-o", str(tmp_path / "b.yaml")) == 2
    err = capsys.readouterr().err
    assert complaint in err and err.count("\n") == 1
    assert not (tmp_path / "b.yaml").exists()


def test_existing_baseline_is_not_overwritten(
    failing_result: RunResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = write_reports(failing_result, tmp_path / "reports")["summary"]
    out = tmp_path / "baseline.yaml"
    out.write_text("# mine\n", encoding="utf-8")
    assert _run("baseline", "--from", str(summary), "-o", str(out)) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert _run("baseline", "--from", str(summary), "-o", str(out), "--force") == 0


def test_expiry_in_the_past_is_refused(failing_result: RunResult, tmp_path: Path) -> None:
    summary = write_reports(failing_result, tmp_path / "reports")["summary"]
    out = tmp_path / "b.yaml"
    assert _run("baseline", "--from", str(summary), "--expires", "2001-01-01", "-o", str(out)) == 2


def test_malformed_expiry_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        _parse("baseline", "--from", "s.json", "--expires", "next week")
    assert info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
