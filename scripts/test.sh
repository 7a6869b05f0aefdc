#!/usr/bin/env bash
# The test command: sets everything up on a fresh machine, then runs every
# check. Servers the tests use (moto, then dynalite) are started by the test
# fixtures on 127.0.0.1 and stopped by PID. Arguments go to every pytest run.
#
# After the bootstrap the checks and the pytest passes run as jobs, two at a
# time (DYNAMORM_TEST_JOBS=1: one at a time), each with its own log, printed
# whole in the order below once it has ended (scripts/jobs.sh). A failed job
# fails the command, naming it, once the jobs running beside it have ended.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/pythons.sh
. scripts/jobs.sh

JOBS=${DYNAMORM_TEST_JOBS:-2}
if ! [[ $JOBS =~ ^[1-9][0-9]*$ ]]; then
  echo "error: DYNAMORM_TEST_JOBS=$JOBS: expected a whole number of jobs, 1 or more" >&2
  exit 2
fi

# Bytecode: every process of the command (pytest and its workers, the
# servers, the programs the tests run) reads its compiled modules from one
# cache, target/pycache, written by the first process to import each
# module. A machine that sets PYTHONDONTWRITEBYTECODE (CI does) would
# otherwise compile boto3, botocore and moto anew in each of them: some
# seconds of CPU per process, for hundreds of processes.
export PYTHONPYCACHEPREFIX="$PWD/target/pycache"
unset PYTHONDONTWRITEBYTECODE

# Each step's wall time and CPU time (its processes' user + system seconds),
# and when it started, printed at the end, also when a step fails, so the
# time budget of the README's test command can be read off any run's log.
# Steps of jobs that run side by side overlap: their walls add up to more
# than the command's, their CPU seconds to the command's. On a busy machine
# the wall time grows; CPU seconds / 2 (cores) is what an idle one needs at
# best. Steps record themselves in $times_dir, one file per step, named so
# that they sort in the order of this script (the jobs write there too).
times_dir=$(mktemp -d)
times_file=$times_dir/times
# `times` must run in the shell whose children are counted (a subshell's
# counters start at zero: a job's steps count their own), so cpu_now sets
# $cpu rather than printing: the children's user + system seconds.
cpu=0
cpu_now() {
  local file=$times_file.$BASHPID
  times > "$file"
  cpu=$(awk 'NR == 2 {
    total = 0
    for (i = 1; i <= 2; i++) { split($i, t, "m"); total += t[1] * 60 + t[2] }
    printf "%d", total
  }' "$file")
  rm -f "$file"
}
started_all=$SECONDS
current=""
step_key=0
step_n=0
end_step() {
  if [ -n "$current" ]; then
    cpu_now
    printf '%5ds %5ds %6ds  %s\n' $((step_started - started_all)) $((SECONDS - step_started)) \
      $((cpu - step_cpu)) "$current" > "$times_dir/$(printf '%03d.%03d' "$step_key" "$step_n")"
    current=""
  fi
}
step() {
  end_step
  step_n=$((step_n + 1))
  current="$*"
  step_started=$SECONDS
  cpu_now
  step_cpu=$cpu
  printf '\n==> %s\n' "$*"
}
# steps_of KEY: the steps that follow belong to job KEY (their place in the
# table); a job's last step is recorded when the job ends, however it ends.
steps_of() {
  step_key=$1
  step_n=0
  trap end_step EXIT
}
report_timings() {
  end_step
  cpu_now
  printf '\n==> time of each step (after the bootstrap, %s jobs at a time)\n' "$JOBS"
  printf '%6s %6s %7s  %s\n' start wall CPU step
  cat "$times_dir"/[0-9]* 2>/dev/null || true
  printf '%5ds %5ds %6ds  in all\n' 0 $((SECONDS - started_all)) "$cpu"
  rm -rf "$times_dir"
}
trap report_timings EXIT

step "bootstrap (a virtualenv per Python ${TEST_PYTHONS[*]}, pinned dependencies, extension builds)"
scripts/bootstrap.sh
end_step

# The static checks and the wheel, one job: each step needs the one before
# to have passed only in that a failure ends the job.
checks() {
  steps_of 1
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
}

# pytest-xdist: two workers per pass, each with its own session server
# (tests/conftest.py's session fixtures run once per worker, each server on
# a port of its own: tests/_support/servers.py). A later -n in the
# arguments wins (`scripts/test.sh -n 0` runs in-process).
WORKERS=(-n 2)
PYTEST_ARGS=("$@")

# Each pass names the client its DBs use (DYNAMORM_TEST_CLIENT, see
# tests/conftest.py): "own" — the DB makes it, and on the fast path the Rust
# core writes the request bodies as well as decoding the responses; "given"
# — DB(client=...), where only responses take the fast path. The main pass
# runs on every test interpreter, each with its own build of the extension.
# Tests marked one_interpreter (the differential suite, a user's project in
# a fresh virtualenv) run on the first interpreter only.
main_pass() {
  local key=$1 version=$2
  local only=()
  if [ "$version" != "${TEST_PYTHONS[0]}" ]; then
    only=(-m "not one_interpreter")
  fi
  steps_of "$key"
  step "pytest on Python $version (unit tests, and integration tests on moto: fast path, DB-made clients)"
  DYNAMORM_TEST_CLIENT=own "$(venv_for "$version")/bin/pytest" "${only[@]}" "${WORKERS[@]}" "${PYTEST_ARGS[@]}"
}

# A later pass of the integration tests: `integration_pass KEY TITLE MARKERS
# VAR=VALUE...` runs those selected by MARKERS with the variables set. Exit
# code 5 means the arguments selected no integration test.
integration_pass() {
  local key=$1 title=$2 markers=$3
  shift 3
  steps_of "$key"
  step "pytest (integration tests $title)"
  local rc=0
  env "${@}" .venv/bin/pytest -m "$markers" "${WORKERS[@]}" "${PYTEST_ARGS[@]}" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
    exit "$rc"
  fi
}

queue_job "checks" checks
key=2
for version in "${TEST_PYTHONS[@]}"; do
  queue_job "pytest on Python $version" main_pass "$key" "$version"
  key=$((key + 1))
done

# The fast path off, on clients the tests give, so botocore's standard
# request and response paths stay tested.
queue_job "pytest on moto, standard path" integration_pass "$key" \
  "on moto, standard path, given clients" "integration and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=given DYNAMORM_TEST_FAST_PATH=0

# dynalite, less the tests that need what dynalite does not implement
# (marked moto_only; deselected, not skipped), on given clients (fast path
# for responses only).
queue_job "pytest on dynalite" integration_pass $((key + 1)) \
  "on dynalite, given clients" "integration and not moto_only" \
  DYNAMORM_TEST_CLIENT=given DYNAMORM_TEST_SERVER=dynalite

# Every scenario again on the asyncio API (AsyncDB, awaited: tests/conftest.py),
# on moto and on dynalite, with DB-made clients (the asyncio transport's own path).
# Whole programs that make their own DB (same_in_every_pass) ran in the passes above.
queue_job "pytest on moto, asyncio API" integration_pass $((key + 2)) \
  "on moto, asyncio API, DB-made clients" "integration and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=own DYNAMORM_TEST_API=async
queue_job "pytest on dynalite, asyncio API" integration_pass $((key + 3)) \
  "on dynalite, asyncio API, DB-made clients" \
  "integration and not moto_only and not same_in_every_pass" \
  DYNAMORM_TEST_CLIENT=own DYNAMORM_TEST_SERVER=dynalite DYNAMORM_TEST_API=async

run_jobs "$JOBS"
