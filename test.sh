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
# Offline proof: as root with unshare available (CI), the suite runs in a fresh network
# namespace whose only interface is loopback, so any attempt to reach the network fails.
# Set VOICE_INTERVIEWER_TEST_NETWORK=1 to run with the normal network instead.
runner=()
if [[ "$(id -u)" == 0 && "${VOICE_INTERVIEWER_TEST_NETWORK:-0}" != 1 ]] && unshare -n true 2>/dev/null; then
  runner=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)
  printf '\033[1m==> pytest (in a network namespace with loopback only: no network)\033[0m\n' >&2
else
  printf '\033[1m==> pytest\033[0m\n' >&2
fi
set +e
"${runner[@]}" "$VENV/bin/python" -m pytest "$@"
code=$?
set -e
if [[ $code == 5 ]]; then
  # pytest's "no tests collected" is neither a pass nor an ordinary failure: say so and fail.
  echo "test.sh: pytest collected no tests (exit 5); treating as a failure" >&2
  exit 1
fi
exit $code
