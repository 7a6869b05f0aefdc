#!/usr/bin/env bash
# Creates .venv (if missing), installs the pinned dev dependencies, builds the
# extension into it, and installs the test-only npm packages (dynalite) from
# package-lock.json. Safe to run again; it only redoes what changed.
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

# dynalite, the second test server: exactly the versions in package-lock.json.
npm_stamp=node_modules/.lock.sha
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi
