"""Root conftest: loads the suite's pytest front end (options --base-url, --api-key, ...)."""

from __future__ import annotations

pytest_plugins = ["promptlog_contract.pytest_plugin"]
