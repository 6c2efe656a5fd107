"""`promptlog-contract cache`: shows where the body cache is and how big, and clears it."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptlog_contract.cli import main


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "valid-0123abcd.json").write_text("[1, 2, 3]", encoding="utf-8")
    (directory / "hypothesis" / "unicode_data").mkdir(parents=True)
    (directory / "hypothesis" / "unicode_data" / "charmap.json.gz").write_bytes(b"x" * 2048)
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", str(directory))
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE_MAX_MB", "8")
    return directory


def test_cache_info_shows_directory_size_and_cap(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["cache"], ["cache", "--info"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert (
            out
            == f"cache: {cache}: 2 files, 0.0 MiB of 8.0 MiB (PROMPTLOG_CONTRACT_CACHE_MAX_MB)\n"
        )
    assert cache.is_dir()


def test_cache_clear_empties_it(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "--clear"]) == 0
    assert f"cleared {cache} (2 files" in capsys.readouterr().out
    assert not cache.exists()
    assert main(["cache", "--info"]) == 0
    assert "empty" in capsys.readouterr().out


def test_cache_clear_refuses_a_directory_it_did_not_write(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PROMPTLOG_CONTRACT_CACHE pointed at a directory of the user's: never delete it.
    (cache / "thesis.tex").write_text("mine", encoding="utf-8")
    assert main(["cache", "--clear"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "thesis.tex" in err and "not clearing" in err
    assert (cache / "thesis.tex").exists() and (cache / "valid-0123abcd.json").exists()


def test_cache_off_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", "off")
    assert main(["cache", "--clear"]) == 0
    assert "off" in capsys.readouterr().out


def test_cache_clear_and_info_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cache", "--clear", "--info"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
