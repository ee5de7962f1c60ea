#!/usr/bin/env bash
# Quick start: set everything up (first run only) and start a mock interview.
# Extra arguments go to `voice-interviewer practice`, e.g. ./start.sh --round aa --no-voice
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$ROOT/scripts/setup.sh"
exec "${VOICE_INTERVIEWER_VENV:-$ROOT/.venv}/bin/voice-interviewer" practice "$@"
