"""The conformance suite as an installed test package, one pytest item per rule.

Run it from any project that installs promptlog-contract:

    pytest --pyargs promptlog_contract.conformance                 # the bundled mock
    HUMANLOOP_API_KEY=... pytest --pyargs promptlog_contract.conformance \
        --promptlog-base-url https://staging.example/v5

The fixtures come from `promptlog_contract.pytest_plugin`, which pytest loads
through the package's `pytest11` entry point.
"""
