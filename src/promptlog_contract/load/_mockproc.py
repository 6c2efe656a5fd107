"""The bundled mock in a process of its own, for a load run without --base-url.

Under load the mock must not share a process (or a GIL) with the Locust
processes it is measured against. It reads its key from the environment so
the key never shows in a process listing, prints only its base URL, and runs
until it is terminated.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from promptlog_contract.load._env import MOCK_KEY
from promptlog_contract.mock import running_mock


def main(faults: list[str]) -> int:
    stop = threading.Event()

    def on_term(_signo: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    with running_mock(api_keys=(os.environ[MOCK_KEY],), faults=faults) as base_url:
        print(base_url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
