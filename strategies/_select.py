"""`invalid_update_bodies()`: drawn invalid bodies, or the deterministic sweep of a kind selection.

Kept apart from `_invalid` (the families) and `_kinds` (the bad-value kinds)
because it joins both, and each of those must not import the other.
"""

from __future__ import annotations

from collections.abc import Collection

from hypothesis import strategies as st

from promptlog_contract.types import InvalidBody, Severity

from ._invalid import labelled_bodies
from ._json import check_argument
from ._kinds import bad_value_sweep


def invalid_update_bodies(
    *,
    rules: Collection[str] | None = None,
    severities: Collection[Severity] | None = None,
    kinds: Collection[str] | None = None,
) -> st.SearchStrategy[InvalidBody]:
    """Generate `InvalidBody(body, Label(path, rule, severity))`: a valid body broken in one slot.

    `path` is the broken slot (for a missing key, the key's path); `rule` is
    one of RULES (type, required, enum, const, discriminator, format).
    `rules` keeps the families whose rule is named or whose id (from
    CATALOG['invalid_rule'], e.g. `"message.role.enum"`) is named; `severities`
    keeps `must-reject` and/or `lax-coercible` values. `kinds` (names from
    `bad_value_kinds()`) switches to the deterministic sweep: the bodies of
    `bad_value_sweep()` for those kinds, labelled with their kind. Unknown
    names, empty collections or a selection with no values raise
    InvalidArgument. Shrinks towards the first family (`prompt_tokens.type`
    with `"abc"` in `{}`), then towards a simpler carrier body; a sweep
    selection shrinks towards its first pair.
    """
    if kinds is None:
        return labelled_bodies(rules=rules, severities=severities)
    swept = bad_value_sweep(families=rules, kinds=kinds)
    if severities is not None:
        check_argument(not isinstance(severities, str | bytes), "severities must be a collection")
        swept = tuple(item for item in swept if item.label.severity in severities)
    check_argument(bool(swept), "no (family, kind) pair has a value of those severities")
    return st.sampled_from(swept)
