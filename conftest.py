"""Root conftest: marks the rootdir. The pytest plugin is NOT listed here.

`promptlog_contract.pytest_plugin` reaches pytest through the package's
`pytest11` entry point (the editable install registers it), exactly as in a
service repository; listing it here too would register it twice.
"""

from __future__ import annotations
