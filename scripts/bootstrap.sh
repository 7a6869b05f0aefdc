#!/usr/bin/env bash
# Creates one virtualenv per test interpreter (scripts/pythons.sh: .venv for
# 3.11, the one every tool uses, and .venv-3.12, .venv-3.13), installs the
# pinned dev dependencies into each, builds the extension into each, and
# installs the test-only npm packages (dynalite) from package-lock.json. Safe
# to run again; it only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pythons.sh

want=$(sha256sum requirements/dev.txt | cut -d' ' -f1)
for version in "${TEST_PYTHONS[@]}"; do
  venv=$(venv_for "$version")
  if [ ! -x "$venv/bin/python" ]; then
    python=$(find_python "$version")
    echo "creating $venv with $python"
    "$python" -m venv "$venv"
  fi
  stamp=$venv/.dev-deps.sha
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/python" -m pip install -q -U pip
    # --no-compile halves the install's time; what the tests import is
    # compiled on first import instead.
    "$venv/bin/python" -m pip install -q --no-compile -r requirements/dev.txt
    echo "$want" > "$stamp"
  fi

  # The extension is built per interpreter (not abi3). .venv's is the release
  # build: tests and benchmarks measure the real thing. The other versions'
  # are for tests only, in the test-ext profile (Cargo.toml: no fat LTO),
  # sharing target/test-ext: a fresh clone (CI) compiles the dependencies
  # that do not depend on the interpreter once; the price is that pyo3 and the
  # extension are rebuilt on each switch of interpreter (about 30 s each).
  if [ "$venv" = .venv ]; then
    VIRTUAL_ENV="$PWD/$venv" "$venv/bin/maturin" develop --release --locked -q
  else
    VIRTUAL_ENV="$PWD/$venv" "$venv/bin/maturin" develop --profile test-ext --locked -q
  fi
done

# dynalite, the second test server: exactly the versions in package-lock.json.
npm_stamp=node_modules/.lock.sha
npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_want" > "$npm_stamp"
fi
