"""`promptlog-contract load`: the contract's rules under production-like concurrency.

A headless Locust run (one machine or many: Locust's master and workers) in
which every simulated user owns scratch logs, sends bodies drawn from the
strategies and judges every response with the same checks as `run`; the
master merges what the workers found into the usual reports. Locust is an
optional extra (`promptlog-contract[load]`); nothing here imports it except
the locustfile, which runs only inside Locust's own processes.
"""

from __future__ import annotations

from ._command import add_parser, handler

__all__ = ["add_parser", "handler"]
