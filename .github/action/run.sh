#!/usr/bin/env bash
# The Action's run step (see action.yml): build the command from INPUT_* variables,
# run the suite, write the step outputs and the job summary, and exit with the
# suite's own exit code (0 conforms, 1 violations, 2 usage, 3 unreachable).
#
# The API key travels only in HUMANLOOP_API_KEY, which the CLI reads itself: it is
# never put on a command line, where the process list and logs could show it.
set -euo pipefail

: "${GITHUB_ACTION_PATH:?run by action.yml, which sets GITHUB_ACTION_PATH}"
: "${GITHUB_OUTPUT:?run by GitHub Actions, which sets GITHUB_OUTPUT}"

report_dir="${INPUT_REPORT_DIR:-promptlog-reports}"
args=(run --report-dir "$report_dir" --profile "${INPUT_PROFILE:-ci}")
if [[ -n "${INPUT_BASE_URL:-}" ]]; then
  args+=(--base-url "$INPUT_BASE_URL")
fi
if [[ -n "${INPUT_BASELINE:-}" ]]; then
  args+=(--baseline "$INPUT_BASELINE")
fi
extra=()
if [[ -n "${INPUT_ARGS:-}" ]]; then
  read -r -a extra <<< "$INPUT_ARGS"
fi
for arg in "${extra[@]}"; do
  if [[ "$arg" == --api-key* ]]; then
    echo "promptlog-contract action: error: pass the key through the api-key input (a secret), not args" >&2
    echo "exit-code=2" >> "$GITHUB_OUTPUT"
    echo "verdict=error" >> "$GITHUB_OUTPUT"
    exit 2
  fi
done
args+=("${extra[@]}")

echo "promptlog-contract ${args[*]}"
set +e
promptlog-contract "${args[@]}"
code=$?
set -e

case "$code" in
  0) verdict=pass ;;
  1) verdict=fail ;;
  3) verdict=unhealthy ;;
  *) verdict=error ;;
esac
{
  echo "exit-code=$code"
  echo "verdict=$verdict"
  echo "report-dir=$report_dir"
  echo "summary-file=$report_dir/summary.json"
  echo "junit-file=$report_dir/junit.xml"
  echo "html-file=$report_dir/report.html"
} >> "$GITHUB_OUTPUT"

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  python "$GITHUB_ACTION_PATH/.github/action/summary.py" "$report_dir/summary.json" "$code" \
    >> "$GITHUB_STEP_SUMMARY" || echo "promptlog-contract action: could not write the job summary" >&2
fi
exit "$code"
