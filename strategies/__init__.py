"""Hypothesis strategies for the Update Prompt Log contract (placeholder, see issue 3)."""

from __future__ import annotations

__all__: list[str] = []
