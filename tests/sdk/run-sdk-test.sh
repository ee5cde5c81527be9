#!/bin/bash
# run-sdk-test.sh: run the official E2B JS SDK against a private code-canvas-engine
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: run-sdk-test.sh NODE SCRIPT [PACKAGE]
# PACKAGE names the installed SDK to drive (a package.json alias; default e2b).
# Starts $CODE_CANVAS_ENGINE with its own XDG_DATA_HOME and XDG_RUNTIME_DIR on a free loopback
# port, reads the URL and API key from its engine.json, exports the E2B_* variables the SDK reads,
# runs SCRIPT with NODE (TAP on stdout) and stops the engine whatever happens. Missing pieces are a
# TAP "Bail out!", never a skip: CI installs node and the SDK (build-aux/dev.sh test).
set -u

node="${1:-}"
script="${2:-}"
export CC_SDK_PACKAGE="${3:-e2b}"
here="$(cd "$(dirname "$0")" && pwd)"

bail () {
  echo "Bail out! $*"
  exit 1
}

[ -n "$node" ] && command -v "$node" >/dev/null 2>&1 \
  || bail "node not found: install nodejs (build-aux/dev.sh test does)"
[ -f "$script" ] || bail "test script $script not found"
[ -f "$here/node_modules/$CC_SDK_PACKAGE/package.json" ] \
  || bail "the E2B SDK ($CC_SDK_PACKAGE) is not installed: run 'npm ci' in $here (build-aux/dev.sh test does)"
[ -n "${CODE_CANVAS_ENGINE:-}" ] && [ -x "$CODE_CANVAS_ENGINE" ] \
  || bail "CODE_CANVAS_ENGINE does not name the built engine"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cc-sdk-test.XXXXXX")" || bail "cannot make a temporary directory"
engine_pid=
cleanup () {
  if [ -n "$engine_pid" ]; then
    kill -TERM "$engine_pid" 2>/dev/null
    wait "$engine_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset E2B_API_KEY E2B_API_URL E2B_SANDBOX_URL E2B_DOMAIN E2B_DEBUG

# In sanitizer builds freed memory waits in AddressSanitizer's quarantine (256 MiB by default)
# before it is reused, so the engine's size after a burst measures the quarantine, not the engine.
# A small quarantine still catches use after free. The load test allows twice its size as slack:
# the sanitizer's allocator keeps freed chunks per size class, which adds as much again. Leaks are
# LeakSanitizer's job at the engine's exit (checked below).
engine_asan="${ASAN_OPTIONS:-}"
if [ -n "$engine_asan" ]; then
  engine_asan="$engine_asan:quarantine_size_mb=16"
  export CC_TEST_ALLOCATOR_SLACK_KIB=$((2 * 16 * 1024))
fi

# The engine's own log goes to a file, shown only when something fails.
ASAN_OPTIONS="$engine_asan" "$CODE_CANVAS_ENGINE" --port=0 >"$tmp/engine.log" 2>&1 &
engine_pid=$!

# engine.json appears (written atomically) once the engine listens. Wait for whichever comes
# first: that file (an inotify watch in node) or the engine's exit. The bound only avoids a hang.
runtime_file="$XDG_RUNTIME_DIR/code-canvas/engine.json"
mkdir -p -m 700 "$XDG_RUNTIME_DIR/code-canvas"
"$node" -e '
  const fs = require("fs");
  const file = process.argv[1];
  const check = () => {
    try {
      const j = JSON.parse(fs.readFileSync(file, "utf8"));
      if (j.url && j.api_key) process.exit(0);
    } catch {}
  };
  fs.watch(require("path").dirname(file), check);
  check();
  setTimeout(() => process.exit(1), 60000 * Math.max(1, Number(process.env.CC_TEST_TIMEOUT_SCALE) || 1));
' "$runtime_file" &
watcher_pid=$!
wait -n -p first_done "$engine_pid" "$watcher_pid"
ready_rc=$?
if [ "$first_done" = "$engine_pid" ]; then
  engine_pid=
  kill "$watcher_pid" 2>/dev/null
  sed 's/^/# engine: /' "$tmp/engine.log"
  bail "code-canvas-engine exited with status $ready_rc before it was ready"
fi
if [ $ready_rc -ne 0 ]; then
  sed 's/^/# engine: /' "$tmp/engine.log"
  bail "the engine wrote no usable $runtime_file in time"
fi

eval "$("$node" -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const q = (s) => "\x27" + String(s).replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
  if (!j.url || !(j.api_key || j.apiKey)) { console.log("false"); process.exit(0); }
  console.log(`export E2B_API_URL=${q(j.url)} E2B_SANDBOX_URL=${q(j.url)} E2B_API_KEY=${q(j.api_key || j.apiKey)}`);
' "$runtime_file")" || { sed 's/^/# engine.json: /' "$runtime_file"; bail "engine.json has no url or api_key"; }

cd "$here" || bail "cannot enter $here"
"$node" "$script"
rc=$?

# The engine must shut down cleanly on SIGTERM, and (in sanitizer builds) without reports: what
# the SDK drove it through counts for the engine's memory safety too.
kill -TERM "$engine_pid" 2>/dev/null
wait "$engine_pid"
engine_rc=$?
engine_pid=
if [ $engine_rc -ne 0 ]; then
  echo "# code-canvas-engine exited with status $engine_rc after SIGTERM"
  rc=1
fi
if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|-CRITICAL \*\*|assertion failed' "$tmp/engine.log"; then
  echo "# the engine log has sanitizer reports or criticals"
  rc=1
fi
if [ $rc -ne 0 ]; then
  echo "# engine log (last 80 lines):"
  tail -n 80 "$tmp/engine.log" | sed 's/^/#   /'
fi
exit $rc
