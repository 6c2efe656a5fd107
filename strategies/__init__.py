"""Hypothesis strategies for the Update Prompt Log contract (PATCH /v5/prompts/{id}/log/{log_id}).

Valid bodies, invalid bodies broken in one labelled slot, the deterministic
sweep of every kind of bad value per invalid family, near-miss API keys,
byte-level raw requests, the variant catalog the runner's coverage matrix is
built from, and the shared Hypothesis profiles. Imports only Hypothesis, the standard library
and `promptlog_contract.types`.
"""

from __future__ import annotations

from ._auth import NEAR_MISS_VARIANTS, NearMissKey, near_miss_keys
from ._bodies import DOCUMENTED_FIELDS, update_bodies
from ._catalog import CATALOG, invalid_kind_variant, invalid_variant, variants_of
from ._invalid import RULES
from ._json import date_times, json_maps
from ._kinds import bad_value_kind, bad_value_kinds, bad_value_sweep
from ._messages import (
    ALL_ROLES,
    chat_messages,
    content_parts,
    thinking_blocks,
    tool_calls,
    tool_choices,
)
from ._profiles import register_profiles
from ._raw import RAW_REQUESTS, raw_requests
from ._rounds import concurrent_update_rounds
from ._select import invalid_update_bodies

__all__ = [
    "ALL_ROLES",
    "CATALOG",
    "DOCUMENTED_FIELDS",
    "NEAR_MISS_VARIANTS",
    "RAW_REQUESTS",
    "RULES",
    "NearMissKey",
    "bad_value_kind",
    "bad_value_kinds",
    "bad_value_sweep",
    "chat_messages",
    "concurrent_update_rounds",
    "content_parts",
    "date_times",
    "invalid_kind_variant",
    "invalid_update_bodies",
    "invalid_variant",
    "json_maps",
    "near_miss_keys",
    "raw_requests",
    "register_profiles",
    "thinking_blocks",
    "tool_calls",
    "tool_choices",
    "update_bodies",
    "variants_of",
]
