#!/usr/bin/env bash
# Builds the release files and checks every wheel as a user would install it.
#
#   scripts/build-wheels.sh                  # wheels for every supported CPython, and the sdist
#   scripts/build-wheels.sh 3.11             # that wheel only (the test command's step)
#   scripts/build-wheels.sh -o DIR [X.Y...]  # into DIR (default dist/)
#
# Wheels are manylinux2014 (manylinux_2_17) x86_64, one per CPython of
# scripts/pythons.sh: maturin compiles with the Rust toolchain and links with
# zig against glibc 2.17's symbols (`ziglang` from requirements/dev.txt), so a
# wheel built here loads on older glibcs than this machine's (AWS Lambda's
# Amazon Linux 2 has 2.26). Each wheel is then checked:
#   1. auditwheel: the platform tag its symbols allow is no newer than
#      manylinux_2_17;
#   2. a fresh virtualenv of its interpreter installs it with
#      `--only-binary :all:` (dependencies from the pip cache or PyPI) and a
#      PATH of that virtualenv's bin/ alone: no sdist can be built and no
#      compiler (cc, cargo, rustc) can be found;
#   3. scripts/wheel_smoke.py runs there, from outside the checkout, against
#      a moto server this script starts on 127.0.0.1 and stops by PID: the
#      package and extension imported are the wheel's, a model round trip in
#      memory and through the server, the command line.
# Each wheel's size and build time are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/pythons.sh

out=dist
versions=()
while [ $# -gt 0 ]; do
  case $1 in
    -o | --out)
      out=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,6p' "$0"
      exit 0
      ;;
    -*)
      echo "error: unknown option $1" >&2
      exit 2
      ;;
    *)
      versions+=("$1")
      shift
      ;;
  esac
done
sdist=false
if [ ${#versions[@]} -eq 0 ]; then
  versions=("${ALL_TEST_PYTHONS[@]}")
  sdist=true
fi
for version in "${versions[@]}"; do
  case " ${ALL_TEST_PYTHONS[*]} " in
    *" $version "*) ;;
    *)
      echo "error: $version is not a supported CPython (${ALL_TEST_PYTHONS[*]})" >&2
      exit 2
      ;;
  esac
done
if [ ! -x .venv/bin/maturin ] || [ ! -x .venv/bin/auditwheel ] ||
  ! .venv/bin/python -c 'import ziglang, moto.server' 2>/dev/null; then
  echo "error: .venv lacks maturin, auditwheel, ziglang or moto: run scripts/bootstrap.sh" >&2
  exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# maturin finds zig as `python -m ziglang` through the python3 on PATH.
export PATH="$root/.venv/bin:$PATH"
report=()

if $sdist; then
  echo "==> sdist"
  rm -f "$out"/dynamorm-*.tar.gz
  maturin sdist -o "$out"
fi

# The server every smoke test talks to, started before the first one: moto
# from .venv (the wheel's virtualenv has the package and its dependencies
# only), on a loopback port it picks itself (-p 0) and names in its log,
# so no other process can hold that port (test runs start servers beside
# this one).
endpoint=""
start_server() {
  local port=""
  .venv/bin/python -m moto.server -H 127.0.0.1 -p 0 > "$work/moto.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    if [ -z "$port" ]; then
      port=$(sed -n 's|.*Running on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/moto.log" | head -n 1)
    fi
    if [ -n "$port" ] && curl -s -o /dev/null "http://127.0.0.1:$port"; then
      endpoint="http://127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "error: moto did not answer (port ${port:-not in its log}); its log:" >&2
  cat "$work/moto.log" >&2
  exit 1
}

for version in "${versions[@]}"; do
  python=$(find_python "$version")
  tag="cp${version/./}"
  echo "==> wheel for CPython $version ($python)"
  rm -f "$out"/dynamorm-*-"$tag"-"$tag"-*.whl
  started=$SECONDS
  # A target directory of its own: the test command builds the development
  # extension and a user-project wheel (system linker) in target/release at
  # the same time, and a zig-linked wheel must never take their objects.
  maturin build --release --locked --strip --zig --compatibility manylinux2014 \
    --target-dir target/wheel-build --interpreter "$python" -o "$work/wheel-$version"
  seconds=$((SECONDS - started))
  wheels=("$work/wheel-$version"/*.whl)
  if [ ${#wheels[@]} -ne 1 ]; then
    echo "error: expected one wheel for $version, got: ${wheels[*]}" >&2
    exit 1
  fi
  # Checked where it was built; only a wheel that passes reaches $out.
  wheel=${wheels[0]}

  echo "==> auditwheel show $(basename "$wheel")"
  shown=$(auditwheel show "$wheel")
  echo "$shown"
  allowed=$(printf '%s\n' "$shown" | tr -d '\n' |
    grep -oE 'consistent with the following platform tag: *"[^"]+"' | grep -oE '"[^"]+"' | tr -d '"' || true)
  if ! [[ $allowed =~ ^manylinux_([0-9]+)_([0-9]+)_x86_64$ ]] ||
    [ "${BASH_REMATCH[1]}" -ne 2 ] || [ "${BASH_REMATCH[2]}" -gt 17 ]; then
    echo "error: auditwheel allows ${allowed:-no manylinux tag} for $(basename "$wheel"); want manylinux_2_17_x86_64 or older" >&2
    exit 1
  fi
  case $(basename "$wheel") in
    *manylinux_2_17_x86_64*) ;;
    *)
      echo "error: $(basename "$wheel") is not tagged manylinux_2_17_x86_64" >&2
      exit 1
      ;;
  esac

  echo "==> installing $(basename "$wheel") into a fresh virtualenv, binaries only, no compiler on PATH"
  venv="$work/venv-$version"
  "$python" -m venv "$venv"
  for tool in cc gcc clang cargo rustc; do
    if env PATH="$venv/bin" /bin/sh -c "command -v $tool" >/dev/null; then
      echo "error: $tool is reachable from the smoke virtualenv's PATH" >&2
      exit 1
    fi
  done
  env -u CC -u CXX -u CARGO -u RUSTC PATH="$venv/bin" \
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary :all: "$wheel"

  if [ -z "$server_pid" ]; then
    start_server
  fi
  echo "==> smoke test (server $endpoint)"
  (cd "$work" && env PATH="$venv/bin" "$venv/bin/python" -I "$root/scripts/wheel_smoke.py" "$wheel" "$endpoint")
  mv "$wheel" "$out/"
  size=$(stat -c %s "$out/$(basename "$wheel")")
  report+=("$(printf '%-70s %6d KiB  built in %3ds' "$(basename "$wheel")" $((size / 1024)) "$seconds")")
done

echo
echo "==> checked wheels (size, build time)"
printf '%s\n' "${report[@]}"
if $sdist; then
  for file in "$out"/dynamorm-*.tar.gz; do
    printf '%-70s %6d KiB\n' "$(basename "$file")" $(($(stat -c %s "$file") / 1024))
  done
fi
