"""Names of the environment variables that carry a run's settings into Locust's processes.

Environment variables rather than command-line options: the API key must not
show in a process listing, and the target and pool are the worker machine's
own business, not the master's.
"""

from __future__ import annotations

from pathlib import Path

BASE_URL = "PROMPTLOG_CONTRACT_LOAD_BASE_URL"
API_KEY = "PROMPTLOG_CONTRACT_LOAD_API_KEY"
POOL = "PROMPTLOG_CONTRACT_LOAD_POOL"
#: "1" in a benchmark's baseline worker: its users judge nothing
PLAIN = "PROMPTLOG_CONTRACT_LOAD_PLAIN"
MOCK_KEY = "PROMPTLOG_CONTRACT_LOAD_MOCK_KEY"
LOCUSTFILE = Path(__file__).with_name("_locustfile.py")
