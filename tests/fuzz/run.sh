#!/bin/sh
# run.sh: build the fuzz harnesses with clang and run each for a fixed number of executions
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: tests/fuzz/run.sh [BUILD_DIR] [meson test arguments...]
# Sets up BUILD_DIR (default _build-fuzz) with CC=clang, -Dfuzzing=true and AddressSanitizer +
# UndefinedBehaviorSanitizer, builds only the harnesses and runs them as the meson test suite
# "fuzz" (each with -runs=N, N from -Dfuzz_runs, 20000 by default). FUZZ_RUNS=N overrides N.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
build="${1:-_build-fuzz}"
[ $# -gt 0 ] && shift

command -v clang >/dev/null 2>&1 || { echo "run.sh: clang not found (Debian: clang)" >&2; exit 1; }

if [ ! -d "$build/meson-info" ]; then
  CC=clang meson setup "$build" "$top" --werror \
    -Dapp=false -Dtests=false -Dsdk_tests=false -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined'
fi
[ -n "${FUZZ_RUNS:-}" ] && meson configure "$build" -Dfuzz_runs="$FUZZ_RUNS"
meson compile -C "$build" \
  tests/fuzz/fuzz-envelope tests/fuzz/fuzz-request-json tests/fuzz/fuzz-host \
  tests/fuzz/fuzz-path tests/fuzz/fuzz-multipart
exec meson test -C "$build" --no-rebuild --suite fuzz --print-errorlogs "$@"
