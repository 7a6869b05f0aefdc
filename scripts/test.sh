#!/usr/bin/env bash
# The test command: sets everything up on a fresh machine, then runs every
# check. Servers the tests use (moto, then dynalite) are started by the test
# fixtures on 127.0.0.1 and stopped by PID. Arguments go to every pytest run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pythons.sh

# Each step's wall time and CPU time (its processes' user + system seconds),
# printed at the end, also when a step fails, so the time budget of the
# README's test command can be read off any run's log. On a busy machine the
# wall time grows; CPU seconds / 2 (cores) is what an idle one needs at best.
timings=()
current=""
times_file=$(mktemp)
# `times` must run in this shell (a subshell's counters start at zero), so
# cpu_now sets $cpu rather than printing: the children's user + system seconds.
cpu=0
cpu_now() {
  times > "$times_file"
  cpu=$(awk 'NR == 2 {
    total = 0
    for (i = 1; i <= 2; i++) { split($i, t, "m"); total += t[1] * 60 + t[2] }
    printf "%d", total
  }' "$times_file")
}
step_started=$SECONDS
step_cpu=0
end_step() {
  if [ -n "$current" ]; then
    cpu_now
    timings+=("$(printf '%5ds %6ds  %s' $((SECONDS - step_started)) $((cpu - step_cpu)) "$current")")
  fi
}
step() {
  end_step
  current="$*"
  step_started=$SECONDS
  cpu_now
  step_cpu=$cpu
  printf '\n==> %s\n' "$*"
}
report_timings() {
  end_step
  current=""
  printf '\n==> time of each step (wall, CPU)\n'
  printf '%s\n' "${timings[@]}"
  printf '%5ds %6ds  in all\n' "$SECONDS" "$cpu"
  rm -f "$times_file"
}
trap report_timings EXIT

step "bootstrap (a virtualenv per Python ${TEST_PYTHONS[*]}, pinned dependencies, extension builds)"
scripts/bootstrap.sh

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "free-threaded check (ffi.rs's cfg(Py_GIL_DISABLED) branches, clippy for CPython 3.14t)"
scripts/check-free-threaded.sh
step "cargo test"
cargo test --workspace --locked

step "ruff check"
.venv/bin/ruff check python tests benches examples
step "ruff format --check"
.venv/bin/ruff format --check python tests benches examples
step "mypy --strict (package)"
.venv/bin/mypy --strict python/dynamorm
step "mypy typing tests (user code that must / must not type-check)"
.venv/bin/mypy --strict --warn-unused-ignores tests/typing
step "stubtest (dynamorm._core)"
.venv/bin/python -m mypy.stubtest dynamorm._core --allowlist tests/stubtest-allowlist.txt

step "mkdocs build --strict (docs site; broken links fail)"
.venv/bin/mkdocs build --strict --quiet

# The wheel a user installs: built for 3.11 as the release is (the other
# interpreters' wheels are built and checked by the release script alone).
step "wheel check (manylinux2014 wheel for 3.11, auditwheel, binary-only install in a fresh virtualenv, smoke test)"
scripts/build-wheels.sh -o target/wheels 3.11

# pytest-xdist: two workers (the machine has two cores), each with its own
# session server (tests/conftest.py's session fixtures run once per worker).
# A later -n in the arguments wins (`scripts/test.sh -n 0` runs in-process).
WORKERS=(-n 2)

# Each pass names the client its DBs use (DYNAMORM_TEST_CLIENT, see
# tests/conftest.py): "own" — the DB makes it, and on the fast path the Rust
# core writes the request bodies as well as decoding the responses; "given"
# — DB(client=...), where only responses take the fast path. The main pass
# runs on every test interpreter, each with its own build of the extension.
for version in "${TEST_PYTHONS[@]}"; do
  step "pytest on Python $version (unit tests, and integration tests on moto: fast path, DB-made clients)"
  DYNAMORM_TEST_CLIENT=own "$(venv_for "$version")/bin/pytest" "${WORKERS[@]}" "$@"
done

# A later pass of the integration tests: `integration_pass TITLE MARKERS
# VAR=VALUE...` runs those selected by MARKERS with the variables set. Exit
# code 5 means the arguments selected no integration test.
integration_pass() {
  local title=$1 markers=$2
  shift 2
  step "pytest (integration tests $title)"
  local rc=0
  env "${@}" .venv/bin/pytest -m "$markers" "${WORKERS[@]}" "${PYTEST_ARGS[@]}" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
    exit "$rc"
  fi
}
PYTEST_ARGS=("$@")

# The fast path off, on clients the tests give, so botocore's standard
# request and response paths stay tested.
integration_pass "on moto, standard path, given clients" "integration and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=given DYNAMORM_TEST_FAST_PATH=0

# dynalite, less the tests that need what dynalite does not implement
# (marked moto_only; deselected, not skipped), on given clients (fast path
# for responses only).
integration_pass "on dynalite, given clients" "integration and not moto_only" \
  DYNAMORM_TEST_CLIENT=given DYNAMORM_TEST_SERVER=dynalite

# Every scenario again on the asyncio API (AsyncDB, awaited: tests/conftest.py),
# on moto and on dynalite, with DB-made clients (the asyncio transport's own path).
# Whole programs that make their own DB (same_in_every_pass) ran in the passes above.
integration_pass "on moto, asyncio API, DB-made clients" "integration and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=own DYNAMORM_TEST_API=async
integration_pass "on dynalite, asyncio API, DB-made clients" \
  "integration and not moto_only and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=own DYNAMORM_TEST_SERVER=dynalite DYNAMORM_TEST_API=async
