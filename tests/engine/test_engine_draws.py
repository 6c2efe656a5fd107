"""Engine draws are a function of the seed alone, and leave nothing in the working directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from promptlog_contract import strategies
from promptlog_contract.engine import _drawing
from promptlog_contract.engine._drawing import draw_batch

# Draws 120 valid bodies; with `extra` it first imports a local module full of
# literals, which Hypothesis would otherwise mix into generation.
_DRAW = """
import json, sys
if len(sys.argv) > 1:
    import extra_literals
from promptlog_contract import strategies
from promptlog_contract.engine._drawing import draw_batch
print(json.dumps(draw_batch(strategies.update_bodies(), 120, 20240115), sort_keys=True))
"""

_LITERALS = "\n".join(
    [f"NAME_{i} = 'literal-string-{i}'" for i in range(200)]
    + [f"NUMBER_{i} = {123456789 + 7919 * i}" for i in range(200)]
)


def _draw_in(cwd: Path, cache: Path, *args: str) -> str:
    cwd.mkdir()
    (cwd / "extra_literals.py").write_text(_LITERALS, encoding="utf-8")
    env = dict(os.environ, PROMPTLOG_CONTRACT_CACHE=str(cache), PYTHONPATH=str(cwd))
    done = subprocess.run(
        [sys.executable, "-c", _DRAW, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert sorted(p.name for p in cwd.iterdir()) == ["extra_literals.py"], "a file was left"
    return done.stdout


def test_same_seed_same_bodies_in_any_process_and_directory(tmp_path: Path) -> None:
    plain = _draw_in(tmp_path / "one", tmp_path / "cache-one")
    busy = _draw_in(tmp_path / "two", tmp_path / "cache-two", "extra")
    assert json.loads(plain) == json.loads(busy)
    assert "literal-string" not in busy


def test_large_batches_are_bounded_runs_and_still_deterministic() -> None:
    n = _drawing.CHUNK + 30
    first = draw_batch(strategies.update_bodies(), n, 7)
    assert len(first) == n
    assert first == draw_batch(strategies.update_bodies(), n, 7)
    # The first chunk is the batch's own seed; later ones get their own.
    assert first[: _drawing.CHUNK] == draw_batch(strategies.update_bodies(), _drawing.CHUNK, 7)
    assert first[_drawing.CHUNK :] == draw_batch(
        strategies.update_bodies(), 30, _drawing.chunk_seed(7, 1)
    )
    assert _drawing.chunk_seed(7, 1) not in (7, _drawing.chunk_seed(8, 1))


def test_draws_restore_hypothesis_state_for_the_user() -> None:
    from hypothesis.configuration import storage_directory
    from hypothesis.internal.conjecture import providers

    before = (storage_directory(intent_to_write=False).home_directory, providers.CONSTANTS_CACHE)
    getter = providers._get_local_constants
    draw_batch(strategies.update_bodies(), 3, 1)
    after = (storage_directory(intent_to_write=False).home_directory, providers.CONSTANTS_CACHE)
    assert after == before
    assert providers._get_local_constants is getter


@pytest.mark.slow
@pytest.mark.socket
def test_a_run_writes_nothing_but_its_reports(tmp_path: Path) -> None:
    cwd, cache, home = tmp_path / "project", tmp_path / "cache", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = dict(os.environ, PROMPTLOG_CONTRACT_CACHE=str(cache), HOME=str(home))
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    done = subprocess.run(
        [sys.executable, "-m", "promptlog_contract", "run", "--report-dir", "reports"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert [p.name for p in cwd.iterdir()] == ["reports"]
    assert not list(home.iterdir())
    assert list(cache.glob("valid-*.json")), "the cache was not used"


def test_the_utf8_codec_table_is_where_hypothesis_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    from hypothesis.internal.charmap import charmap_file

    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", str(tmp_path))
    with _drawing._engine_hypothesis():
        path = charmap_file("codec-v2-utf-8")
        assert path.is_relative_to(tmp_path)
        with gzip.open(path) as table:
            assert json.load(table) == _drawing._UTF8_CODEC_TABLE


@pytest.mark.slow
def test_the_utf8_codec_table_is_what_hypothesis_computes(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from hypothesis.configuration import set_hypothesis_home_dir\n"
        "set_hypothesis_home_dir(sys.argv[1])\n"
        "from hypothesis.internal.charmap import intervals_from_codec\n"
        "a, b = intervals_from_codec('utf-8')\n"
        "print(json.dumps([a.intervals, b.intervals]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout) == _drawing._UTF8_CODEC_TABLE


def test_with_the_cache_off_nothing_is_left_anywhere(tmp_path: Path) -> None:
    cwd, scratch = tmp_path / "project", tmp_path / "tmp"
    cwd.mkdir()
    scratch.mkdir()
    code = (
        "from promptlog_contract import strategies\n"
        "from hypothesis.configuration import storage_directory\n"
        "from promptlog_contract.engine import _drawing\n"
        "with _drawing._engine_hypothesis():\n"
        "    print(storage_directory('x', intent_to_write=False).path)\n"
        "    _drawing.draw_batch(strategies.update_bodies(), 5, 1)\n"
    )
    env = dict(os.environ, PROMPTLOG_CONTRACT_CACHE="off", HOME=str(tmp_path), TMPDIR=str(scratch))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    assert Path(done.stdout.strip()).is_relative_to(scratch)  # Hypothesis stored there...
    assert not list(cwd.iterdir())
    assert not list(scratch.iterdir())  # ...and it was removed at exit
