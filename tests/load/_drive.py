"""Drive a load `Session` without Locust: httpx for sending, threads for the concurrency round."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from promptlog_contract.load._session import Judge
from promptlog_contract.types import NOT_JSON, HttpResponse


class HttpxSend:
    """The `Send` protocol over an httpx client (what the locustfile does over Locust's)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.Client(timeout=10)

    def __call__(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        name: str,
        judge: Judge | None,
    ) -> HttpResponse | None:
        started = time.perf_counter()
        try:
            raw = self.client.request(
                method, self.base_url + path, content=content, headers=headers
            )
        except httpx.HTTPError:
            return None
        try:
            body: Any = raw.json()
        except ValueError:
            body = NOT_JSON
        response = HttpResponse(
            raw.status_code,
            {k.lower(): v for k, v in raw.headers.items()},
            raw.content,
            body,
            (time.perf_counter() - started) * 1000,
        )
        if judge is not None:
            judge(response)
        return response


def threads(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))
