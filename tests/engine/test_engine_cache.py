"""The body cache must be invisible: the same bodies with it, without it, and after corruption."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from promptlog_contract.engine import _cache
from promptlog_contract.engine._drawing import draw_batch
from promptlog_contract.types import InvalidBody


def _stream(kind: str, n: int, seed: int, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    _cache.stream(kind, n, seed, out.append, **kwargs)
    return out


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", str(tmp_path))
    return tmp_path


def test_cached_valid_bodies_equal_fresh_ones(cache_dir: Path) -> None:
    from promptlog_contract import strategies

    first = _stream("valid", 12, 5)
    assert list(cache_dir.glob("valid-*.json")), "the batch was not stored"
    second = _stream("valid", 12, 5)
    assert first == second == draw_batch(strategies.update_bodies(), 12, 5)


def test_cached_invalid_cases_keep_their_labels(cache_dir: Path) -> None:
    first = _stream("invalid", 10, 3)
    second = _stream("invalid", 10, 3)
    assert all(isinstance(case, InvalidBody) for case in second)
    assert first == second


def test_cache_key_separates_seeds_counts_and_rules(cache_dir: Path) -> None:
    _stream("valid", 5, 1)
    _stream("valid", 5, 2)
    _stream("valid", 6, 1)
    _stream("invalid", 1, 1, rules=["tool_choice.enum"])
    _stream("invalid", 1, 1, rules=["message.role.enum"])
    assert len(list(cache_dir.glob("*.json"))) == 5
    [case] = _stream("invalid", 1, 1, rules=["tool_choice.enum"])
    assert case.label.path == ("tool_choice",)


def test_corrupt_cache_is_redrawn(cache_dir: Path) -> None:
    first = _stream("valid", 8, 9)
    for path in cache_dir.glob("valid-*.json"):
        path.write_text("{not json", encoding="utf-8")
    assert _stream("valid", 8, 9) == first


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_dir() is None
    _stream("valid", 4, 0)
    assert not list(tmp_path.rglob("*.json"))


def test_fresh_seed_batches_are_not_cached(cache_dir: Path) -> None:
    from promptlog_contract import strategies

    drawn = _stream("valid", 6, 123456, persist=False)
    assert drawn == draw_batch(strategies.update_bodies(), 6, 123456)
    assert not list(cache_dir.glob("*.json"))


def test_eviction_keeps_the_cache_under_its_cap(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stream("valid", 20, 1)
    [kept] = cache_dir.glob("valid-*.json")
    one_batch = kept.stat().st_size
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE_MAX_MB", str(2.5 * one_batch / 2**20))
    os.utime(kept, (1, 1))  # the oldest: the first to go
    for seed in range(2, 7):
        _stream("valid", 20, seed)
        files = [p for p in cache_dir.rglob("*") if p.is_file()]
        assert sum(p.stat().st_size for p in files) <= _cache.max_bytes()
    assert not kept.exists()
    assert len(list(cache_dir.glob("valid-*.json"))) >= 1


def test_a_cache_hit_counts_as_recent_use(cache_dir: Path) -> None:
    _stream("valid", 5, 1)
    [path] = cache_dir.glob("valid-*.json")
    os.utime(path, (1, 1))
    _stream("valid", 5, 1)
    assert path.stat().st_mtime > 1


def test_clear_empties_the_cache(cache_dir: Path) -> None:
    _stream("valid", 4, 1)
    assert list(cache_dir.rglob("*.json"))
    _cache.clear()
    assert not cache_dir.exists()
    assert _stream("valid", 4, 1)  # and it is rebuilt on the next draw


def test_the_cap_defaults_to_64_mib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMPTLOG_CONTRACT_CACHE_MAX_MB", raising=False)
    assert _cache.max_bytes() == 64 * 2**20
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE_MAX_MB", "not a number")
    assert _cache.max_bytes() == 64 * 2**20
    monkeypatch.setenv("PROMPTLOG_CONTRACT_CACHE_MAX_MB", "1")
    assert _cache.max_bytes() == 2**20
