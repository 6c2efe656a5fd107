"""Throughput, latency and memory of the bundled mock, against a bare-uvicorn baseline.

Not a test: run `python benchmarks/bench_mock.py [--quick]` and read the figures.

The servers run in their own processes (so the load generator does not share
their GIL), and the load comes from a minimal HTTP/1.1 keep-alive client on
raw asyncio streams: httpx would spend more CPU per request than the server
and measure itself. The baseline is uvicorn serving a bare ASGI app that reads
the same PATCH body and answers a fixed JSON, with the same uvicorn settings
as the mock, so `mock / baseline` is the cost of the mock itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

KEY = "bench-key"
CONCURRENCY = 32

_MOCK_SERVER = f"""
from promptlog_contract.mock import serve
serve(host="127.0.0.1", port=0, api_keys=[{KEY!r}], faults=[])
"""

_BASELINE_SERVER = """
import socket, uvicorn
BODY = b'{"id":"log_baseline","evaluator_logs":[]}'
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
sock.listen(2048)
print(f"Baseline listening on http://127.0.0.1:{sock.getsockname()[1]}/v5", flush=True)
config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                        ws="none", http="h11", loop="asyncio")
try:
    uvicorn.Server(config).run(sockets=[sock])
except KeyboardInterrupt:
    pass
"""


def realistic_body(i: int) -> dict[str, Any]:
    """A PATCH body like a chat-with-tools turn: thinking, tool calls, content parts, maps."""
    return {
        "output_message": {
            "role": "assistant",
            "content": "It is 18°C and sunny in Paris.",
            "thinking": [
                {
                    "type": "thinking",
                    "thinking": "The tool answered; summarise.",
                    "signature": "EqQBCkYIBxgCKkBf2",
                },
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix"},
            ],
        },
        "prompt_tokens": 412 + i % 100,
        "reasoning_tokens": 96,
        "output_tokens": 58,
        "prompt_cost": 0.001236,
        "output_cost": 0.00087,
        "finish_reason": "end_turn",
        "messages": [
            {"role": "system", "content": "You are a weather assistant. Answer for Paris."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What's the weather like?"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "https://example.com/sky.png", "detail": "low"},
                    },
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "toolu_01A09q90qw90lq917835lq9",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            {
                "role": "tool",
                "content": '{"temp_c": 18}',
                "tool_call_id": "toolu_01A09q90qw90lq917835lq9",
            },
        ],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "start_time": "2025-05-02T08:00:00Z",
        "end_time": "2025-05-02T08:00:03.210000+00:00",
        "provider_latency": 3.21,
        "inputs": {"city": "Paris"},
        "metadata": {"run": "bench", "i": i},
    }


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.base_url)
        assert parts.hostname is not None and parts.port is not None
        return parts.hostname, parts.port

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) if match else -1

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(code: str) -> Server:
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"(http://\S+/v5)", line)
    if not match:
        process.kill()
        raise SystemExit(f"server did not start: {line!r}")
    return Server(process, match.group(1))


class Connection:
    """One keep-alive HTTP/1.1 connection; just enough protocol for these servers."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, host)

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nX-API-KEY: {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


@dataclass
class Load:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    def summary(self, label: str) -> str:
        lat = sorted(self.latencies)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        return (
            f"{label:<28} {self.requests / self.seconds:8.0f} req/s   p50 {p50:6.2f} ms   "
            f"p99 {p99:6.2f} ms   errors {self.errors}"
        )


async def load(
    server: Server, method: str, paths: list[str], bodies: list[bytes], total: int
) -> Load:
    """`total` requests over CONCURRENCY connections, cycling through paths and bodies."""
    host, port = server.host_port
    base = urlsplit(server.base_url).path
    connections = [await Connection.open(host, port) for _ in range(CONCURRENCY)]
    latencies: list[float] = []
    errors = 0
    next_index = 0

    async def worker(connection: Connection) -> None:
        nonlocal next_index, errors
        while next_index < total:
            i = next_index
            next_index += 1
            began = time.perf_counter()
            status, _ = await connection.request(
                method, base + paths[i % len(paths)], bodies[i % len(bodies)]
            )
            latencies.append(time.perf_counter() - began)
            errors += status >= 300

    began = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in connections))
    seconds = time.perf_counter() - began
    for connection in connections:
        connection.close()
    return Load(total, seconds, latencies, errors)


async def create_logs(server: Server, count: int) -> list[str]:
    """Create `count` logs; return their PATCH paths (relative to /v5)."""
    host, port = server.host_port
    connection = await Connection.open(host, port)
    paths = []
    for i in range(count):
        body = json.dumps(
            {"path": "bench/weather", "prompt": {"model": "gpt-4o"}, "output": str(i)}
        )
        status, data = await connection.request("POST", "/v5/prompts/log", body.encode())
        assert status == 200, data
        created = json.loads(data)
        paths.append(f"/prompts/{created['prompt_id']}/log/{created['id']}")
    connection.close()
    return paths


async def run(quick: bool) -> None:
    requests = 3_000 if quick else 20_000
    memory_total = 20_000 if quick else 100_000
    first_mark = memory_total // 10
    bodies = [json.dumps(realistic_body(i)).encode() for i in range(100)]
    print(
        f"body size {len(bodies[0])} bytes, concurrency {CONCURRENCY}, {requests} requests per run"
    )

    baseline = start(_BASELINE_SERVER)
    try:
        await load(baseline, "PATCH", ["/prompts/p/log/l"], bodies, 1_000)  # warm-up
        base = await load(baseline, "PATCH", ["/prompts/p/log/l"], bodies, requests)
    finally:
        baseline.stop()
    print(base.summary("baseline: bare ASGI PATCH"))

    mock = start(_MOCK_SERVER)
    try:
        paths = await create_logs(mock, 10)
        get_paths = ["/logs/" + p.rsplit("/", 1)[1] for p in paths]
        await load(mock, "PATCH", paths, bodies, 1_000)  # warm-up
        patch = await load(mock, "PATCH", paths, bodies, requests)
        get = await load(mock, "GET", get_paths, [b""], requests)
        print(get.summary("mock: GET /logs/{id}"))
        print(patch.summary("mock: PATCH (realistic body)"))
        ratio = (requests / patch.seconds) / (requests / base.seconds)
        print(f"mock PATCH throughput = {ratio:.0%} of the bare-ASGI baseline")

        rss_start = mock.rss_kib()
        await load(mock, "PATCH", paths, bodies, first_mark)
        rss_first = mock.rss_kib()
        await load(mock, "PATCH", paths, bodies, memory_total - first_mark)
        rss_last = mock.rss_kib()
        growth = (rss_last - rss_first) / rss_first
        print(
            f"memory: RSS {rss_start / 1024:.1f} MiB before, {rss_first / 1024:.1f} MiB after "
            f"{first_mark:,} PATCHes, {rss_last / 1024:.1f} MiB after {memory_total:,} "
            f"(growth {growth:+.1%}, {'flat' if growth < 0.10 else 'NOT flat'})"
        )
    finally:
        mock.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short run (a few seconds)")
    args = parser.parse_args()
    asyncio.run(run(args.quick))


if __name__ == "__main__":
    main()
