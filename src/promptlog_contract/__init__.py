"""promptlog-contract: a contract-testing suite for Humanloop's Update Prompt Log endpoint."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
