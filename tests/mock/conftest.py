"""In-process clients of the mock app, and helpers to create logs through its API.

Most tests talk to the ASGI app through `httpx.ASGITransport` (no socket, no
thread); app exceptions propagate, so a crash the mock does not mean to make
fails the test instead of turning into a quiet 500.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from promptlog_contract.mock import create_app

KEY = "test-key-1"
OTHER_KEY = "test-key-2"
JSONMap = dict[str, Any]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def mock_client(
    *faults: str, max_body_bytes: int = 1_048_576
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh mock app (keys KEY and OTHER_KEY), sending KEY by default."""
    app = create_app(api_keys=(KEY, OTHER_KEY), faults=faults, max_body_bytes=max_body_bytes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mock.test/v5", headers={"X-API-KEY": KEY}
    ) as client:
        yield client


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with mock_client() as fresh:
        yield fresh


@dataclass(frozen=True)
class Log:
    prompt_id: str
    id: str

    @property
    def url(self) -> str:
        return f"/prompts/{self.prompt_id}/log/{self.id}"


async def new_log(
    client: httpx.AsyncClient, path: str = "contract-tests/mock", **fields: Any
) -> Log:
    """Log to the Prompt at `path` (created on first use); `fields` go in the body."""
    body = {"path": path, "prompt": {"model": "gpt-4o"}, "output": "a", **fields}
    response = await client.post("/prompts/log", json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    return Log(created["prompt_id"], created["id"])


async def patch(client: httpx.AsyncClient, log: Log, body: Any) -> httpx.Response:
    return await client.patch(log.url, json=body)


async def get(client: httpx.AsyncClient, log: Log) -> JSONMap:
    response = await client.get(f"/logs/{log.id}")
    assert response.status_code == 200, response.text
    body: JSONMap = response.json()
    return body


def error_locs(response: httpx.Response) -> list[list[str | int]]:
    """The `loc` of every entry of a FastAPI-shaped 422 body."""
    return [entry["loc"] for entry in response.json()["detail"]]


THINKING = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
REDACTED = {"type": "redacted_thinking", "data": "xyz"}
TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}
OUTPUT_MESSAGE = {
    "role": "assistant",
    "content": [{"type": "text", "text": "hello"}],
    "thinking": [THINKING, REDACTED],
    "tool_calls": [TOOL_CALL],
}
