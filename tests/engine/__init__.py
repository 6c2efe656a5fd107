"""The engine's promises, proved end to end: runs, faults, exit codes, staging safety."""
