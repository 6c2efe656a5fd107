#!/usr/bin/env bash
# The Action's install step (see action.yml): install the suite into the job's Python.
#
# By default from the action's own checkout (the ref in `uses: ...@ref`), with the
# repository's constraints so the job gets the dependency versions the suite was
# tested with; with INPUT_VERSION set, that release from the package index instead.
set -euo pipefail

: "${GITHUB_ACTION_PATH:?run by action.yml, which sets GITHUB_ACTION_PATH}"
constraints="$GITHUB_ACTION_PATH/constraints.txt"
if [[ -n "${INPUT_VERSION:-}" ]]; then
  spec="promptlog-contract==${INPUT_VERSION}"
else
  spec="$GITHUB_ACTION_PATH"
fi
python -m pip install --disable-pip-version-check --quiet -c "$constraints" "$spec"
promptlog-contract --version
