#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The README's two commands:
#   build-aux/dev.sh run    install what is missing, build, and start code-canvas on the local engine
#   build-aux/dev.sh test   install what is missing, build, and run the whole suite headless, twice:
#                           a normal build and an ASan+UBSan build; ends with "N passed, N failed"
#   build-aux/dev.sh flatpak  build the Flatpak against a local Debian 12 test runtime (cached), install
#                           it privately and run tests/flatpak inside it (build-aux/flatpak-test.sh)
# Extra arguments after "test" go to meson test (e.g. --suite core).
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

APT_PACKAGES=(
  build-essential pkg-config meson ninja-build python3 gettext itstool
  libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev libsqlite3-dev
  zlib1g-dev libvte-2.91-gtk4-dev libgtksourceview-5-dev libwebkitgtk-6.0-dev
  bubblewrap passt libseccomp-dev libnftables-dev gnome-keyring libsecret-tools dbus
  fonts-dejavu-core adwaita-icon-theme
)
TEST_PACKAGES=(
  xvfb xauth desktop-file-utils appstream libglib2.0-bin libgtk-4-bin flatpak-builder
  procps iproute2 clang libclang-rt-14-dev libxtst-dev
)

as_root () {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages () {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_node () {
  # Node.js runs the official E2B SDK. A machine may already have a Node.js that is not Debian's
  # (its nodejs package then conflicts with Debian's npm), so only ask apt when a command is missing.
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] || install_packages "${missing[@]}"
}

install_npm () {
  # The official E2B SDK, pinned by the lock file, for tests/sdk and bench/.
  local dir="$1"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_build () {
  local dir="$1"; shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    install_packages "${APT_PACKAGES[@]}"
    setup_build _build --werror
    export CODE_CANVAS_ENGINE="$top/_build/src/engine/code-canvas-engine"
    export GSETTINGS_SCHEMA_DIR="$top/_build/data"
    export CODE_CANVAS_MODULE_DIR="$top/_build/src/app/webkit"
    exec "$top/_build/src/app/code-canvas" "$@"
    ;;
  test)
    install_packages "${APT_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_node
    install_npm tests/sdk
    install_npm tests/cli-e2b
    setup_build _build --werror
    rc=0
    BUILDDIR=_build tests/run-headless.sh "$@" || rc=1
    setup_build _asan --werror -Db_sanitize=address,undefined -Db_lundef=false
    # meson names the log after the wrapper; an old log of either name must not be counted.
    rm -f _asan/meson-logs/testlog*.json
    ASAN=1 BUILDDIR=_asan tests/run-headless.sh --timeout-multiplier 4 \
      --wrapper "$top/tests/lsan-retry.sh" "$@" || rc=1
    tests/fuzz/run.sh _build-fuzz || rc=1
    python3 tests/test-summary.py _build/meson-logs/testlog.json \
      _asan/meson-logs/testlog-lsan-retry.sh.json _build-fuzz/meson-logs/testlog.json || rc=1
    exit $rc
    ;;
  flatpak)
    exec "$top/build-aux/flatpak-test.sh" "$@"
    ;;
  *)
    echo "usage: $0 run|test|flatpak [args]" >&2
    exit 2
    ;;
esac
