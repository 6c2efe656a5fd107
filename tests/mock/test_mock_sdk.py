"""The official Python SDK (humanloop==0.8.38) round-trips through the mock.

If the real client can create, update, read and delete logs against the mock,
and gets its typed 422 error back, then the mock speaks the same wire format as
the service the SDK was generated for.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from humanloop import Humanloop
from humanloop.core.api_error import ApiError
from humanloop.errors import UnprocessableEntityError
from humanloop.types import PromptLogResponse
from pydantic import TypeAdapter

from promptlog_contract.mock import running_mock

from .conftest import OUTPUT_MESSAGE

pytestmark = pytest.mark.socket

KEY = "sdk-key"


def test_sdk_round_trip_through_the_mock() -> None:
    with running_mock(api_keys=(KEY,)) as base_url:
        client = Humanloop(api_key=KEY, base_url=base_url)
        created = client.prompts.log(
            path="contract-tests/sdk",
            prompt={"model": "gpt-4o"},
            messages=[{"role": "user", "content": "What's the weather?"}],
            output="a",
        )
        assert created.id.startswith("log_") and created.prompt_id.startswith("pr_")

        tool_choice: Any = {"type": "function", "function": {"name": "get_weather"}}
        updated = client.prompts.update_log(
            id=created.prompt_id,
            log_id=created.id,
            output_message=OUTPUT_MESSAGE,  # type: ignore[arg-type]
            messages=[{"role": "developer", "content": "Answer briefly."}],
            tool_choice=tool_choice,
            prompt_tokens=12,
            created_at=datetime(2025, 5, 2, 10, 0, tzinfo=timezone(timedelta(hours=2))),
        )
        fetched = client.logs.get(id=created.id)
        assert fetched == updated
        assert isinstance(fetched, dict)  # 0.8.38 hands LogResponse back as a dict
        assert fetched["output_message"] == OUTPUT_MESSAGE
        assert fetched["messages"] == [{"role": "developer", "content": "Answer briefly."}]
        assert fetched["tool_choice"] == tool_choice
        assert fetched["output"] == "a"
        assert datetime.fromisoformat(fetched["created_at"]) == datetime(2025, 5, 2, 8, tzinfo=UTC)
        TypeAdapter(PromptLogResponse).validate_python(fetched)  # strict SDK model

        with pytest.raises(UnprocessableEntityError) as invalid:
            client.prompts.update_log(
                id=created.prompt_id, log_id=created.id, tool_choice="sometimes"
            )
        assert invalid.value.status_code == 422
        assert invalid.value.body.detail[0].loc[:2] == ["body", "tool_choice"]

        client.logs.delete(id=[created.id])
        with pytest.raises(ApiError) as gone:
            client.logs.get(id=created.id)
        assert gone.value.status_code == 404
        assert gone.value.body == {"detail": "Log not found"}


def test_sdk_with_a_wrong_key_gets_401() -> None:
    with running_mock(api_keys=(KEY,)) as base_url:
        client = Humanloop(api_key="not-the-key", base_url=base_url)
        with pytest.raises(ApiError) as refused:
            client.logs.get(id="log_x")
    assert refused.value.status_code == 401
    assert "not-the-key" not in str(refused.value.body)
