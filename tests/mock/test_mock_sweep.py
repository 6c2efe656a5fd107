"""The bad-value sweep against the mock: the faithful mock refuses every must-reject pair.

Strategies are the suite's side and the mock never imports them; this test
only sends their bodies, so a disagreement shows as a failure here instead of
as a false alarm in every default run. It also shows which pairs the
`truncate_fractional_counts` fault lets through, and that nothing else does.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from promptlog_contract.strategies import bad_value_sweep

from .conftest import mock_client, new_log

pytestmark = pytest.mark.anyio


async def _statuses(*faults: str) -> dict[str, tuple[int, Any]]:
    found = {}
    async with mock_client(*faults) as client:
        log = await new_log(client)
        for invalid in bad_value_sweep():
            label = invalid.label
            response: httpx.Response = await client.patch(log.url, json=invalid.body)
            where = "/".join(map(str, label.path))
            found[f"{where}:{label.rule}:{label.kind}:{label.severity}"] = (
                response.status_code,
                response.json().get("prompt_tokens") if response.status_code == 200 else None,
            )
    return found


async def test_faithful_mock_refuses_every_must_reject_pair() -> None:
    statuses = await _statuses()
    accepted = [pair for pair, (status, _) in statuses.items() if status != 422]
    assert [pair for pair in accepted if pair.endswith(":must-reject")] == []
    assert all(status in (200, 422) for status, _ in statuses.values())


async def test_truncate_fractional_counts_accepts_only_the_fractional_pairs() -> None:
    clean, faulty = await _statuses(), await _statuses("truncate_fractional_counts")
    changed = sorted(pair for pair in clean if clean[pair][0] != faulty[pair][0])
    assert changed == sorted(
        f"{field}:type:fractional:must-reject"
        for field in ("prompt_tokens", "reasoning_tokens", "output_tokens")
    )
    assert faulty["prompt_tokens:type:fractional:must-reject"] == (200, 1)
