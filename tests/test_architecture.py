"""The layering README draws, enforced from every module's imports (read from the AST).

contract, types, errors and _secrets are leaves; strategies import only
Hypothesis and the leaves; checks only the leaves; the mock nothing of the
suite (a mock that shared its validators could not disagree with it); the
engine strategies, checks, the mock and the leaves; reporting only the leaves;
commands and the front ends sit on top. No import circle anywhere, imports
inside functions included. Each policy is also run on a planted tree to prove
it can fail.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import promptlog_contract

PACKAGE = "promptlog_contract"
SRC = Path(promptlog_contract.__file__).parent
STRATEGIES_SOURCE = SRC.parents[1] / "strategies"
MAX_LINES = 400

LEAVES = frozenset({"package", "contract", "types", "errors", "_secrets"})
#: layer -> the project layers it may import (besides itself).
ALLOWED: Mapping[str, frozenset[str]] = {
    "package": frozenset(),
    "contract": frozenset(),
    "types": frozenset(),
    "errors": frozenset(),
    "_secrets": frozenset(),
    "strategies": LEAVES,
    "checks": LEAVES,
    "mock": frozenset(),
    "reporting": LEAVES,
    "engine": LEAVES | {"strategies", "checks", "mock"},
    "commands": LEAVES | {"engine", "reporting", "checks", "strategies", "mock"},
    "front": LEAVES | {"commands", "engine", "reporting", "mock", "load"},
    # The installed conformance tests read a run's result through the pytest plugin.
    "conformance": LEAVES | {"checks"},
    # The Locust job: its own front end over the engine, reaching it through load/_engine.py.
    "load": LEAVES | {"engine", "commands", "reporting", "checks", "strategies", "mock"},
}
#: layer -> the only third-party top-level names it may import (unlisted layers: any).
THIRD_PARTY: Mapping[str, frozenset[str]] = {
    "strategies": frozenset({"hypothesis"}),
    "mock": frozenset({"fastapi", "pydantic", "pydantic_core", "starlette", "uvicorn"}),
    "types": frozenset(),
    "errors": frozenset(),
    "_secrets": frozenset(),
}
_FRONT_ENDS = {"cli", "__main__", "pytest_plugin"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts == [PACKAGE]:
        return "package"
    name = parts[1]
    if name in _FRONT_ENDS:
        return "front"
    if name not in ALLOWED:
        raise AssertionError(f"{module} belongs to no layer: add it to ALLOWED")
    return name


def module_files(src: Path, strategies_source: Path | None) -> dict[str, Path]:
    """Module name -> file, for the package under `src` (the strategies from their source)."""
    out: dict[str, Path] = {}

    def walk(directory: Path, prefix: str) -> None:
        for path in sorted(directory.iterdir()):
            if path.is_symlink():
                continue  # the strategies link: read from their source below
            if path.is_dir() and (path / "__init__.py").is_file():
                walk(path, f"{prefix}.{path.name}")
            elif path.suffix == ".py":
                out[prefix if path.stem == "__init__" else f"{prefix}.{path.stem}"] = path

    walk(src, PACKAGE)
    if strategies_source is not None:
        walk(strategies_source, f"{PACKAGE}.strategies")
    return out


def imports_of(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, nested ones included.

    `from pkg import name` counts as importing pkg.name when that is a module.
    """
    package = module if path.stem == "__init__" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in known else base), node.lineno


def forbidden_imports(files: Mapping[str, Path]) -> list[str]:
    """Every import that crosses the layering the wrong way, as 'file:line: a -> b'."""
    known = set(files)
    problems: list[str] = []
    for module, path in files.items():
        layer = layer_of(module)
        for target, line in imports_of(module, path, known):
            top = target.split(".")[0]
            where = f"{path.name}:{line}: {module} -> {target}"
            if top == PACKAGE:
                other = layer_of(target)
                if other != layer and other not in ALLOWED[layer]:
                    problems.append(where)
            elif top == "strategies":
                problems.append(where + " (import promptlog_contract.strategies)")
            elif top != "__future__" and top not in sys.stdlib_module_names:
                allowed = THIRD_PARTY.get(layer)
                if allowed is not None and top not in allowed:
                    problems.append(where + " (third-party)")
    return problems


def import_cycles(files: Mapping[str, Path]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), i.e. each circle."""
    known = set(files)
    graph = {
        m: sorted({t for t, _ in imports_of(m, p, known) if t in known and t != m})
        for m, p in files.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return cycles


def _real_tree() -> dict[str, Path]:
    files = module_files(SRC, STRATEGIES_SOURCE)
    assert len(files) > 60 and f"{PACKAGE}.strategies._bodies" in files
    return files


def test_layering_holds() -> None:
    assert forbidden_imports(_real_tree()) == []


def test_no_import_circle() -> None:
    assert import_cycles(_real_tree()) == []


def test_no_source_file_is_over_400_lines() -> None:
    long = {
        str(path): n
        for path in _real_tree().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _plant(tmp_path: Path, sources: Mapping[str, str]) -> dict[str, Path]:
    """A synthetic promptlog_contract tree: {'checks/_bad.py': 'import ...'}."""
    root = tmp_path / PACKAGE
    for directory in ("", "checks", "engine", "mock", "strategies"):
        (root / directory).mkdir(parents=True, exist_ok=True)
        (root / directory / "__init__.py").write_text("")
    for name in ("types.py", "contract.py", "checks/_ok.py", "engine/_a.py", "engine/_b.py"):
        (root / name).write_text("from __future__ import annotations\n")
    for name, text in sources.items():
        (root / name).write_text(text)
    return module_files(root, None)


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("checks/_bad.py", "from promptlog_contract.engine import _a\n"),
        ("checks/_bad.py", "def f():\n    from promptlog_contract import engine\n"),
        ("checks/_bad.py", "from ..engine import _a\n"),
        ("mock/_bad.py", "from promptlog_contract import contract\n"),
        ("mock/_bad.py", "import httpx\n"),
        ("strategies/_bad.py", "import promptlog_contract.checks\n"),
        ("strategies/_bad.py", "import jsonschema\n"),
        ("types.py", "from promptlog_contract.checks import _ok\n"),
        ("engine/_bad.py", "import strategies\n"),
    ],
)
def test_layering_catches_forbidden_import(tmp_path: Path, name: str, source: str) -> None:
    allowed = _plant(tmp_path, {"checks/_fine.py": "from promptlog_contract import types\n"})
    assert forbidden_imports(allowed) == []
    problems = forbidden_imports(_plant(tmp_path, {name: source}))
    assert len(problems) == 1 and problems[0].startswith("_bad.py" if "_bad" in name else name)


def test_cycle_finder_catches_a_circle_through_a_nested_import(tmp_path: Path) -> None:
    acyclic = _plant(tmp_path, {"engine/_a.py": "from . import _b\n"})
    assert import_cycles(acyclic) == []
    files = _plant(
        tmp_path,
        {"engine/_a.py": "from . import _b\n", "engine/_b.py": "def f():\n    from ._a import x\n"},
    )
    assert import_cycles(files) == [[f"{PACKAGE}.engine._a", f"{PACKAGE}.engine._b"]]
