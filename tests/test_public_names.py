"""The public names of `strategies`, `checks` and `engine` are exactly what README documents.

A name added to `__all__` without documentation, documented but gone, or
defined publicly but left out of `__all__` fails here, so README cannot drift
from the code (Hypothesis polices its public API the same way).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

from promptlog_contract import checks, engine, strategies

README = Path(__file__).resolve().parents[1] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start : end if end != -1 else None]


def documented_api(module: str) -> set[str]:
    """The backticked names of README's "Public Python API" bullet for `module`."""
    api = _section("### Public Python API")
    match = re.search(rf"^- `{re.escape(module)}`:(.*?)(?=^- |\Z)", api, re.M | re.S)
    assert match, f"README documents no public API for {module}"
    return set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", match.group(1)))


def rule_table() -> dict[str, set[str]]:
    """README's rule table: rule id -> its violation classes (Schemathesis's rows left out)."""
    rows = re.findall(
        r"^\| `([a-z_]+)` \|.*\| ((?:`[A-Za-z]+`(?:, )?)+) \|$", _section("## Rules"), re.M
    )
    return {rule: set(re.findall(r"`([A-Za-z]+)`", classes)) for rule, classes in rows}


def public_names(module: ModuleType) -> set[str]:
    """What a module defines or re-exports without a leading underscore (submodules aside)."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }


@pytest.mark.parametrize("module", [strategies, checks], ids=lambda m: m.__name__)
def test_all_is_every_public_name(module: ModuleType) -> None:
    assert sorted(module.__all__) == sorted(set(module.__all__))
    assert set(module.__all__) == public_names(module)


def test_strategies_names_match_readme() -> None:
    assert documented_api("promptlog_contract.strategies") == set(strategies.__all__)


def test_engine_names_match_readme() -> None:
    assert documented_api("promptlog_contract.engine") == set(engine.__all__)


def test_checks_names_match_readme() -> None:
    table = rule_table()
    assert set(table) == set(checks.check_names())
    documented = documented_api("promptlog_contract.checks").union(*table.values())
    assert documented == set(checks.__all__)


def test_public_names_catch_an_undocumented_export(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strategies, "undocumented_bodies", lambda: None, raising=False)
    with pytest.raises(AssertionError):
        test_all_is_every_public_name(strategies)
    monkeypatch.setattr(strategies, "__all__", [*strategies.__all__, "undocumented_bodies"])
    test_all_is_every_public_name(strategies)
    with pytest.raises(AssertionError):
        test_strategies_names_match_readme()
