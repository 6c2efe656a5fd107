"""The mock package polices its own boundaries: public names, and imports that stay inside.

A mock that imported the suite's checks, strategies or contract validators
would agree with the suite by construction; this keeps it independent.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import promptlog_contract.mock as mock

MOCK_DIR = Path(mock.__file__).parent
ALLOWED_TOP_LEVEL = {"fastapi", "pydantic", "pydantic_core", "starlette", "uvicorn"}


def _imports(path: Path) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_mock_imports_nothing_of_the_suite() -> None:
    modules = sorted(MOCK_DIR.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        for name, level in _imports(path):
            if level:  # relative: another module of the mock itself
                continue
            top = name.split(".")[0]
            assert top not in {"promptlog_contract", "strategies"}, f"{path.name} imports {name}"
            standard = top in sys.stdlib_module_names or top == "__future__"
            assert standard or top in ALLOWED_TOP_LEVEL, f"{path.name} imports {name}"


def test_public_api() -> None:
    assert sorted(mock.__all__) == ["FAULTS", "create_app", "running_mock", "serve"]
    assert list(inspect.signature(mock.create_app).parameters) == [
        "api_keys", "faults", "max_body_bytes",
    ]  # fmt: skip
    assert list(inspect.signature(mock.running_mock).parameters)[:4] == [
        "api_keys", "faults", "host", "port",
    ]  # fmt: skip
    assert list(inspect.signature(mock.serve).parameters)[:4] == [
        "host", "port", "api_keys", "faults",
    ]  # fmt: skip
    for function in (mock.create_app, mock.running_mock, mock.serve):
        parameters = inspect.signature(function).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


def test_modules_stay_small() -> None:
    for path in MOCK_DIR.glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path.name
