#!/usr/bin/env bash
# Creates one virtualenv per test interpreter (scripts/pythons.sh: .venv for
# 3.11, the one every tool uses, and .venv-3.12, .venv-3.13), installs the
# pinned dev dependencies into each, builds the extension into each, and
# installs the test-only npm packages (dynalite) from package-lock.json. Safe
# to run again; it only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pythons.sh
. scripts/jobs.sh

want=$(sha256sum requirements/dev.txt | cut -d' ' -f1)

# setup_version X.Y: that interpreter's virtualenv, dependencies and build.
setup_version() {
  local version=$1 venv python stamp
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
    # compiled on first import instead (scripts/test.sh keeps it compiled,
    # in target/pycache).
    "$venv/bin/python" -m pip install -q --no-compile -r requirements/dev.txt
    echo "$want" > "$stamp"
  fi

  # The extension is built per interpreter (not abi3). .venv's is the release
  # build: tests and benchmarks measure the real thing. The other versions'
  # are for tests only, in the test-ext profile (Cargo.toml: no fat LTO),
  # each in a target directory of its own (target/python-X.Y): pyo3 and the
  # extension depend on the interpreter, and in one shared directory each
  # switch of interpreter rebuilt them (about 12 s per version on every run,
  # nothing changed); apart, a build with nothing changed takes a second or
  # two, and the three builds can run at once.
  if [ "$venv" = .venv ]; then
    VIRTUAL_ENV="$PWD/$venv" "$venv/bin/maturin" develop --release --locked -q
  else
    VIRTUAL_ENV="$PWD/$venv" "$venv/bin/maturin" develop --profile test-ext --locked -q \
      --target-dir "target/python-$version"
  fi
}

# dynalite, the second test server: exactly the versions in package-lock.json.
setup_npm() {
  local npm_stamp=node_modules/.lock.sha npm_want
  npm_want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_want" > "$npm_stamp"
  fi
}

# All at once (scripts/jobs.sh): on a fresh clone the pip installs (one core
# each, partly waiting on the network) overlap the Rust builds, which are
# in target directories of their own.
for version in "${TEST_PYTHONS[@]}"; do
  queue_job "Python $version" setup_version "$version"
done
queue_job "npm ci" setup_npm
run_jobs $((${#TEST_PYTHONS[@]} + 1))
