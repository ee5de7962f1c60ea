#!/usr/bin/env bash
# Set everything up (as ./start.sh does, plus test tools) and run the whole test suite:
# lint, architecture and type checks, then pytest (real models included).
# Extra arguments go to pytest, e.g. ./test.sh -k session
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$ROOT/scripts/setup.sh" --test
VENV="${VOICE_INTERVIEWER_VENV:-$ROOT/.venv}"
cd "$ROOT"
printf '\033[1m==> ruff, import-linter, mypy\033[0m\n' >&2
"$VENV/bin/ruff" check voice_interviewer tests
"$VENV/bin/ruff" format --check voice_interviewer tests
"$VENV/bin/lint-imports" --no-cache
"$VENV/bin/mypy"
printf '\033[1m==> pytest\033[0m\n' >&2
set +e
"$VENV/bin/python" -m pytest "$@"
code=$?
set -e
if [[ $code == 5 ]]; then
  # pytest's "no tests collected" is neither a pass nor an ordinary failure: say so and fail.
  echo "test.sh: pytest collected no tests (exit 5); treating as a failure" >&2
  exit 1
fi
exit $code
