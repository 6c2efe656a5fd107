"""What a long run says while it runs: its budget at the start, then the phase and time left.

`run --profile fuzz` spends 10 minutes unless told otherwise; saying so at
the start, and how much is left while it runs, is the difference between a
tool that is working and one that looks hung. On a terminal one line is
redrawn in place (carriage return); in a CI log, where a redraw is garbage,
plain lines come at each phase and every 30 s. All of it goes to stderr, so
stdout keeps only the verdict.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from promptlog_contract.engine import PROFILES, RunConfig

_CLEAR = "\r\x1b[2K"
TTY_EVERY_S = 1.0
PLAIN_EVERY_S = 30.0


def duration(seconds: float) -> str:
    """90 -> "1m30s", 600 -> "10m0s", 3725 -> "1h2m5s", 4.4 -> "4s"."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


def budget_line(config: RunConfig) -> str | None:
    """The budget of a long run (a time budget or a rate limit), or None for a quick one."""
    profile = PROFILES[config.profile]
    rate = config.rate_limit or profile.rate_limit
    if config.max_time is None and rate is None:
        return None
    parts = []
    if config.max_time is not None:
        parts.append(f"budget {duration(config.max_time)} (--max-time)")
    if config.max_requests is not None:
        parts.append(f"{config.max_requests} requests at most (--max-requests)")
    if config.max_time is None and config.max_requests is None:
        parts.append("one round (no --max-time)")
    parts.append(f"rate {rate:g}/s" if rate else "no rate limit")
    workers = 1 if config.user_log else (config.workers or profile.workers)
    parts.append(f"{workers} worker{'s' if workers != 1 else ''}")
    parts.append(f"target {config.base_url or 'the bundled mock'}")
    return f"{config.profile}: {', '.join(parts)}; Ctrl-C stops early and still reports"


class Progress:
    """The phase and the time left, on `stream`, until the block ends.

    Use `phase` as the engine's progress callback (`RunConfig.progress`).
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        label: str,
        max_time: float | None,
        every_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.label = label
        self.max_time = max_time
        self.tty = stream.isatty()
        self.every_s = every_s or (TTY_EVERY_S if self.tty else PLAIN_EVERY_S)
        self._clock = clock
        self._started = clock()
        self._phase = "starting"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="promptlog-progress", daemon=True)

    def announce(self, line: str) -> None:
        with self._lock:
            self.stream.write(f"» {line}\n")
            self.stream.flush()

    def clock_text(self) -> str:
        elapsed = self._clock() - self._started
        text = f"{duration(elapsed)} elapsed"
        if self.max_time is not None:
            text += f", {duration(self.max_time - elapsed)} left"
        return text

    def phase(self, line: str) -> None:
        with self._lock:
            self._phase = line
            if self.tty:
                self._redraw()
            else:
                self.stream.write(f"» {line}\n")
                self.stream.flush()

    def _redraw(self) -> None:
        self.stream.write(f"{_CLEAR}» {self._phase} · {self.clock_text()}")
        self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.every_s):
            with self._lock:
                if self.tty:
                    self._redraw()
                else:
                    self.stream.write(f"» {self.label}: {self.clock_text()} ({self._phase})\n")
                    self.stream.flush()

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self.tty:
            with self._lock:
                self.stream.write(_CLEAR)  # the verdict starts on a clean line
                self.stream.flush()
