#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/dev.sh flatpak: build the app as a Flatpak against a local Debian 12 test runtime,
# install it in a private installation and run tests/flatpak/run.sh inside it.
#
#   1. host tools from apt (only what is missing);
#   2. the test runtime and SDK (build-aux/flatpak-runtime.sh, cached);
#   3. a test manifest made from flatpak/<app-id>.json (other runtime, no VTE, no Node extension);
#   4. flatpak-builder into a private installation under _flatpak/home;
#   5. the suite, TAP-like, ending with "N passed, N failed".
# Environment: CC_FLATPAK_DIR (default _flatpak) holds the installation, build and suite output.
set -euo pipefail

top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

APP_ID=io.github.codecanvas.CodeCanvas
PLATFORM_ID=io.github.codecanvas.TestPlatform
SDK_ID=io.github.codecanvas.TestSdk
BRANCH=12
REMOTE=code-canvas-test
HOST_TOOLS=(
  debootstrap flatpak flatpak-builder ostree python3 xvfb xauth x11-apps x11-utils imagemagick
  dbus dbus-x11 xdg-desktop-portal xdg-desktop-portal-gtk gnome-keyring libglib2.0-bin curl
  nodejs npm
)

step () { echo "== $* ($(date -u +%T))" >&2; }

as_root () {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages () {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # A Node.js that is not Debian's conflicts with Debian's npm: keep whatever provides the commands.
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    local kept=()
    for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p"); done
    missing=("${kept[@]}")
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

work="${CC_FLATPAK_DIR:-$top/_flatpak}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
t_start=$SECONDS

step "host tools"
install_packages "${HOST_TOOLS[@]}"
# The host runs the official E2B SDK against the engine inside the Flatpak (PTY and signals).
if [ ! -d tests/sdk/node_modules ] || [ tests/sdk/package-lock.json -nt tests/sdk/node_modules/.package-lock.json ]; then
  (cd tests/sdk && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >&2
fi

step "test runtime and SDK"
# debootstrap and chroot need root; the runtime is cached for the calling user.
repo="$(as_root env HOME="$HOME" XDG_CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}" build-aux/flatpak-runtime.sh)"

# From here on everything Flatpak keeps goes to a private home. FLATPAK_USER_DIR alone is not
# enough: the portal starts "flatpak run" for flatpak-spawn --sandbox with a cleared environment,
# and that child finds the installation through HOME.
export HOME="$work/home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export FLATPAK_USER_DIR="$XDG_DATA_HOME/flatpak"
unset XDG_DATA_DIRS FLATPAK_SYSTEM_DIR
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# tests/flatpak/run.sh wipes the app's data and runs only in a home with this mark.
touch "$HOME/.code-canvas-flatpak-test-home"

step "private installation"
if timeout 60 flatpak --user remotes --columns=name | grep -qx "$REMOTE"; then
  timeout 60 flatpak --user remote-modify --no-gpg-verify --url="file://$repo" "$REMOTE"
else
  timeout 60 flatpak --user remote-add --no-gpg-verify "$REMOTE" "file://$repo"
fi
timeout 1800 flatpak --user install -y --noninteractive --or-update "$REMOTE" \
  "runtime/$PLATFORM_ID/x86_64/$BRANCH" "runtime/$SDK_ID/x86_64/$BRANCH" >&2

step "test manifest"
manifest="$work/$APP_ID.json"
python3 - "flatpak/$APP_ID.json" "$manifest" "$top" "$PLATFORM_ID" "$SDK_ID" "$BRANCH" <<'EOF'
# The real manifest with only what the test runtime changes: its ids, no modules Debian already
# ships (VTE and what VTE needs to build), Node.js from Debian instead of the SDK extension.
import json, sys
src, dst, top, platform, sdk, branch = sys.argv[1:]
m = json.load(open(src, encoding='utf-8'))
m['runtime'], m['sdk'], m['runtime-version'] = platform, sdk, branch
m.pop('sdk-extensions', None)
m['modules'] = [mod for mod in m['modules']
                if mod.get('name') not in ('fast_float', 'simdutf', 'fmt', 'vte', 'node')]
m['appstream-compose'] = False
m.setdefault('build-options', {})['no-debuginfo'] = True
for mod in m['modules']:
    for s in mod.get('sources', []):
        if s.get('type') == 'dir':
            s['path'] = top
            s.setdefault('skip', []).append('_flatpak')
json.dump(m, open(dst, 'w', encoding='utf-8'), indent=4)
EOF

step "app"
t0=$SECONDS
timeout 3600 flatpak-builder --user --install --force-clean --disable-rofiles-fuse \
  --jobs="$(nproc)" --state-dir="$work/builder-state" "$work/app-build" "$manifest" >&2
echo "app build and install: $((SECONDS - t0)) s" >&2
echo "setup (host tools, runtime, installation, app): $((SECONDS - t_start)) s" >&2

step "suite"
CC_FLATPAK_OUT="$work/suite" tests/flatpak/run.sh
