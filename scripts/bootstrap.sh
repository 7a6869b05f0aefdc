#!/usr/bin/env bash
# Creates .venv (if missing), installs the pinned dev dependencies, and builds
# the extension into it. Safe to run again; it only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.dev-deps.sha
want=$(sha256sum requirements/dev.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q -U pip
  .venv/bin/python -m pip install -q -r requirements/dev.txt
  echo "$want" > "$stamp"
fi

# Build the Rust extension into the virtualenv (release: tests and benchmarks
# measure the real thing).
VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --release --locked -q
