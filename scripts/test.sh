#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test twice: in a
# normal build and in an ASan+UBSan build. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || { echo "installing packages failed"; echo "0 passed, 1 failed"; exit 1; }

# One test program per core: the integration tests run real-time media (encoders, decoders,
# RTP at 30 fps), and more programs than cores only makes them wait for each other.
threads=${MESON_TESTTHREADS:-$(nproc)}
failed_builds=0
junit_dirs=()

build_and_test() {
  local dir=$1; shift
  echo "== building $dir ($*)"
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" --werror "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
  fi
  ninja -C "$dir" >"$dir.build.log" 2>&1 || { cat "$dir.build.log"; return 1; }
  if grep -q 'warning:' "$dir.build.log"; then
    echo "the build of $dir has warnings:"; grep 'warning:' "$dir.build.log"; return 1
  fi
  echo "== testing $dir"
  rm -f "$dir"/tests/integration/*.junit.xml   # count this run's results only
  meson test -C "$dir" --num-processes "$threads" --print-errorlogs --no-rebuild
  return 0
}

for spec in "build" "build-asan -Db_sanitize=address,undefined -Db_lundef=false"; do
  # shellcheck disable=SC2086
  set -- $spec
  dir=$1; shift
  mkdir -p "$(dirname "$dir")"
  if build_and_test "$dir" "$@"; then
    junit_dirs+=("$dir")
  else
    failed_builds=$((failed_builds + 1))
  fi
done

/usr/bin/python3 scripts/summarize-tests.py --failed-builds "$failed_builds" "${junit_dirs[@]}"
