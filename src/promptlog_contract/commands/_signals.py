"""SIGINT and SIGTERM during a run: stop sending, clean up, write the reports, exit 130 / 143.

CI cancellations and job timeouts send SIGTERM, a person presses Ctrl-C; both
must leave the shared target as it was (scratch logs deleted) and keep what
was found. The first signal only sets the run's `Stop`: every request checks
it before it is sent, so workers do not drain their queues. A second signal
exits at once.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from promptlog_contract.engine import Stop

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stopping_on_signals(stop: Stop) -> Iterator[None]:
    """Within the block, SIGINT/SIGTERM set `stop` (a second one exits at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.event.is_set():
            os.write(2, f"\npromptlog-contract: {name} again: exiting now\n".encode())
            os._exit(128 + signum)
        stop.set(signum)
        os.write(
            2,
            f"\npromptlog-contract: {name}: stopping, deleting scratch logs, writing reports "
            "(send it again to exit at once)\n".encode(),
        )

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
