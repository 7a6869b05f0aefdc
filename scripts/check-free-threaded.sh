#!/usr/bin/env bash
# Compiles and lints the bindings as built for a free-threaded CPython
# (Py_GIL_DISABLED), with no such interpreter on the machine: PyO3's build
# scripts read the target interpreter from a config file (PYO3_CONFIG_FILE)
# instead of asking one, and clippy type-checks without linking. So the
# cfg(Py_GIL_DISABLED) branches of rust/dynamorm-py/src/ffi.rs are proved to
# compile and to pass clippy -D warnings; running them needs a free-threaded
# interpreter. Fails if they stop compiling, if clippy warns, or if the
# crate's build script no longer hands it PyO3's Py_GIL_DISABLED cfg (then
# the GIL code would have been checked instead).
#
# Its own target directory (target/free-threaded), so the normal build is
# not invalidated. About 30 s the first time (PyO3 and the dependencies are
# checked once for this target), a few seconds after an edit of the crate,
# well under one when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# PyO3 0.30 supports free-threaded CPython from 3.14 on: pyo3-ffi's build
# script refuses a 3.13t target.
version=3.14
target_dir="$PWD/target/free-threaded"
config="$target_dir/pyo3-config-${version}t.txt"
mkdir -p "$target_dir"

# Rewritten only when it changes: PyO3's build script reruns (and pyo3 is
# checked again) whenever the file's mtime moves.
new_config=$(mktemp)
trap 'rm -f "$new_config"' EXIT
cat >"$new_config" <<EOF
implementation=CPython
version=$version
shared=true
lib_name=python${version}t
pointer_width=$(getconf LONG_BIT)
build_flags=Py_GIL_DISABLED
suppress_build_script_link_lines=true
EOF
if ! cmp -s "$new_config" "$config"; then
  cp "$new_config" "$config"
fi

echo "==> free-threaded check: CPython ${version}t (PYO3_CONFIG_FILE=${config#"$PWD"/})"
sed 's/^/    /' "$config"
echo "==> cargo clippy -p dynamorm-py --all-targets --locked -- -D warnings (CARGO_TARGET_DIR=${target_dir#"$PWD"/})"

started=$SECONDS
messages="$target_dir/clippy-messages.json"
# json-render-diagnostics: the diagnostics go to stderr as usual, cargo's own
# messages (among them each build script's cfgs) to stdout as JSON.
PYO3_CONFIG_FILE="$config" CARGO_TARGET_DIR="$target_dir" \
  cargo clippy -p dynamorm-py --all-targets --locked \
  --message-format=json-render-diagnostics -- -D warnings >"$messages"

# The cfgs the bindings' build script (pyo3_build_config::use_pyo3_cfgs)
# handed the crate; cargo reports them for a fresh build script too.
cfgs=$(grep '"reason":"build-script-executed"' "$messages" |
  grep 'dynamorm-py[#@]' |
  sed -n 's/.*"cfgs":\[\([^]]*\)\].*/\1/p' |
  tr -d '"' | tr ',' ' ')
if [[ " $cfgs " != *" Py_GIL_DISABLED "* ]]; then
  echo "error: dynamorm-py was not built with cfg(Py_GIL_DISABLED) (its cfgs: ${cfgs:-none});" \
    "rust/dynamorm-py/build.rs must call pyo3_build_config::use_pyo3_cfgs()" >&2
  exit 1
fi
echo "==> dynamorm-py's cfgs: $cfgs"
echo "==> the cfg(Py_GIL_DISABLED) branches compile and pass clippy ($((SECONDS - started)) s)"
