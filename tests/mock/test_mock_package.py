"""The mock's public names. Its imports (nothing of the suite) and module sizes are
policed with every other package's in tests/test_architecture.py."""

from __future__ import annotations

import inspect

import promptlog_contract.mock as mock


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
