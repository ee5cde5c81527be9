#!/bin/bash
# run.sh: the benchmark, Code Canvas against the official E2B JS SDK on the same local engine
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: bench/run.sh [--quick] [--runs N] [--only a,b,…] [--no-app]
# Installs what it lacks (apt, and the SDK pinned by bench/package-lock.json with npm ci), builds
# a release build in _release, starts a private engine on 127.0.0.1 with throwaway XDG dirs, runs
# every workload alternating ours/SDK, and prints a Markdown table (also kept in bench/out/).
# Timing is reported, never asserted.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

command_line="bench/run.sh${*:+ $*}"
quick=()
runs=5
only=
with_app=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick); [ "$runs" = 5 ] && runs=3 ;;
    --runs) runs="$2"; shift ;;
    --only) only="$2"; shift ;;
    --no-app) with_app=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# What the benchmark needs beyond the build dependencies of build-aux/dev.sh.
BENCH_PACKAGES=(
  build-essential pkg-config meson ninja-build python3 gettext itstool
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev
  zlib1g-dev libvte-2.91-gtk4-dev libgtksourceview-5-dev libwebkitgtk-6.0-dev
  libx11-dev libxdamage-dev bubblewrap xvfb xauth dbus procps coreutils
)
missing=()
for p in "${BENCH_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm by command: NodeSource's nodejs package ships npm and conflicts with Debian's.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  as_root=(); [ "$(id -u)" = 0 ] || as_root=(sudo)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

(cd bench && npm ci --no-audit --no-fund --loglevel=error) >&2

build=_release
if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" --buildtype=release -Dtests=false >&2
else
  meson setup "$build" --buildtype=release -Dtests=false >&2
fi
# The engine and the launcher program every sandbox runs.
ninja -C "$build" src/engine/code-canvas-engine src/engine/code-canvas-launcher >&2
# Each driver is optional: what does not build is reported as "not built" in the table.
ninja -C "$build" bench/cc-bench >&2 || echo "run.sh: bench/cc-bench did not build; only the SDK side runs" >&2
if [ $with_app = 1 ]; then
  ninja -C "$build" src/app/code-canvas bench/cc-first-frame data/gschemas.compiled >&2 \
    || { echo "run.sh: the app did not build; skipping (g)" >&2; with_app=0; }
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/cc-bench.XXXXXX")"
engine_pid=
cleanup () {
  if [ -n "$engine_pid" ]; then
    kill -TERM "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" \
       XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
unset E2B_API_KEY E2B_API_URL E2B_SANDBOX_URL E2B_DOMAIN E2B_DEBUG
export CODE_CANVAS_ENGINE="$top/$build/src/engine/code-canvas-engine"
export GSETTINGS_SCHEMA_DIR="$top/$build/data" GSETTINGS_BACKEND=memory
# Xvfb has no GPU: GTK's GL renderer would run on llvmpipe, which measures Mesa, not us.
export GDK_BACKEND=x11 GSK_RENDERER=cairo

"$CODE_CANVAS_ENGINE" --port=0 >"$tmp/engine.log" 2>&1 &
engine_pid=$!
runtime_file="$XDG_RUNTIME_DIR/code-canvas/engine.json"
for _ in $(seq 1 300); do
  [ -s "$runtime_file" ] && break
  kill -0 "$engine_pid" 2>/dev/null || { cat "$tmp/engine.log" >&2; echo "run.sh: the engine exited" >&2; exit 1; }
  sleep 0.05
done
eval "$(node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const q = (s) => "\x27" + String(s).replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
  console.log(`export E2B_API_URL=${q(j.url)} E2B_SANDBOX_URL=${q(j.url)} E2B_API_KEY=${q(j.api_key || j.apiKey)}`);
  console.log(`isolation=${q(j.isolation || "none")}`);
' "$runtime_file")"
# Figures of unisolated sandboxes are not this product's: say so where the table is read.
[ "$isolation" = bubblewrap ] || echo "run.sh: the engine runs sandboxes WITHOUT isolation ($isolation); see $tmp/engine.log" >&2

mkdir -p bench/out
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="bench/out/results-$stamp.md"
args=(--engine-pid "$engine_pid" --cc-bench "$top/$build/bench/cc-bench" --sdk-bench "$top/bench/sdk-bench.mjs" --node node
      --runs "$runs" --json "bench/out/results-$stamp.json" "${quick[@]}")
[ -n "$only" ] && args+=(--only "$only")
[ $with_app = 1 ] && args+=(--app "$top/$build/src/app/code-canvas" --first-frame "$top/$build/bench/cc-first-frame")

args+=(--out "$out" --header "Command: $command_line (runs: $runs) at $(git -C "$top" describe --always --dirty 2>/dev/null || echo 'an unknown revision'), sandboxes under $isolation")
# The app needs a display and a session bus; everything else ignores them. Their daemons talk on
# stdout too, so the table is read back from the file.
xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" dbus-run-session -- python3 bench/bench.py "${args[@]}" >&2
echo
cat "$out"
echo "(kept in $out)" >&2
