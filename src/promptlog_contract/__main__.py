"""`python -m promptlog_contract` is the same as the `promptlog-contract` command."""

from __future__ import annotations

import sys

from promptlog_contract.cli import main

sys.exit(main())
