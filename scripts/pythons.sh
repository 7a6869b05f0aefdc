# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and scripts/test.sh: the CPython versions the
# test command runs the suite on, where each one's virtualenv is, and how its
# interpreter is found.

# The first is the one every other tool (mypy, stubtest, mkdocs, benchmarks)
# runs on, in .venv; each other one gets .venv-X.Y. DYNAMORM_TEST_PYTHONS
# narrows the set on a machine that lacks one (never in CI: there every
# version must be tested).
ALL_TEST_PYTHONS=(3.11 3.12 3.13)
read -r -a TEST_PYTHONS <<<"${DYNAMORM_TEST_PYTHONS:-${ALL_TEST_PYTHONS[*]}}"
if [ "${CI:-}" = true ] && [ "${TEST_PYTHONS[*]}" != "${ALL_TEST_PYTHONS[*]}" ]; then
  echo "error: DYNAMORM_TEST_PYTHONS=${DYNAMORM_TEST_PYTHONS:-} in CI; CI tests ${ALL_TEST_PYTHONS[*]}" >&2
  exit 1
fi
if [ "${TEST_PYTHONS[0]:-}" != "${ALL_TEST_PYTHONS[0]}" ]; then
  echo "error: DYNAMORM_TEST_PYTHONS must start with ${ALL_TEST_PYTHONS[0]} (.venv, the tools' interpreter)" >&2
  exit 1
fi

# venv_for X.Y: the virtualenv of that version, relative to the repository.
venv_for() {
  if [ "$1" = "${ALL_TEST_PYTHONS[0]}" ]; then
    echo .venv
  else
    echo ".venv-$1"
  fi
}

# is_cpython PATH X.Y: whether PATH runs and is a CPython X.Y with the GIL (a
# free-threaded 3.13t is another interpreter, not a stand-in for 3.13).
is_cpython() {
  "$1" -c '
import sys, sysconfig
ok = sys.implementation.name == "cpython" and "%d.%d" % sys.version_info[:2] == sys.argv[1]
sys.exit(0 if ok and not sysconfig.get_config_var("Py_GIL_DISABLED") else 1)
' "$2" >/dev/null 2>&1
}

# find_python X.Y: prints the path of a CPython X.Y: pyenv's (the newest X.Y.*
# it has installed), else pythonX.Y on PATH. Fails, saying what to install,
# when there is none: a missing interpreter is an error, never a skipped one.
find_python() {
  local version=$1 root candidate
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    if candidate=$(pyenv prefix "$version" 2>/dev/null); then
      candidates+=("$candidate/bin/python$version")
    fi
    root=$(pyenv root)
  else
    root=${PYENV_ROOT:-$HOME/.pyenv}
  fi
  # Newest patch release first; the glob stays literal when nothing matches.
  while IFS= read -r candidate; do
    candidates+=("$candidate")
  done < <(printf '%s\n' "$root"/versions/"$version".*/bin/python"$version" | sort -rV)
  if candidate=$(command -v "python$version"); then
    candidates+=("$candidate")
  fi
  for candidate in "${candidates[@]}"; do
    if is_cpython "$candidate" "$version"; then
      echo "$candidate"
      return 0
    fi
  done
  echo "error: no CPython $version found (neither \`pyenv prefix $version\` nor python$version on PATH);" \
    "install it (\`pyenv install $version\`), or leave it out with DYNAMORM_TEST_PYTHONS outside CI" >&2
  return 1
}
