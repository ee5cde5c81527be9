#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds a Flatpak test runtime and SDK from Debian 12 packages and exports them to a local
# ostree repository, because no Flathub runtime is reachable from our machines.
# Prints the repository's path on stdout; everything else goes to stderr.
#
# The result is cached under ${XDG_CACHE_HOME:-~/.cache}/code-canvas-flatpak/<key>/, the key being
# a hash of this file (which holds the package lists) and of the host's extra CA certificates, so
# changing either rebuilds and a second run reuses the repository.
set -euo pipefail

PLATFORM_ID=io.github.codecanvas.TestPlatform
SDK_ID=io.github.codecanvas.TestSdk
BRANCH=12
SUITE=bookworm

# What the app and its local sandboxes need at run time: the libraries of the app, the tools the
# engine and the tests call, and Node.js + npm for the Node and Vite templates (the real manifest
# takes those from the freedesktop Node SDK extension instead).
PLATFORM_PACKAGES=(
  libgtk-4-1 libgtk-4-bin libadwaita-1-0 libvte-2.91-gtk4-0 libgtksourceview-5-0
  libwebkitgtk-6.0-4 libsoup-3.0-0 libjson-glib-1.0-0 libsecret-1-0 libsecret-tools
  libsqlite3-0 zlib1g glib-networking ca-certificates libglib2.0-bin shared-mime-info
  gsettings-desktop-schemas adwaita-icon-theme hicolor-icon-theme fonts-dejavu-core
  fonts-cantarell python3 flatpak-xdg-utils bubblewrap dbus-bin procps iproute2 libgl1-mesa-dri
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good locales-all
  nodejs npm curl libseccomp2
)
# The build tools and headers of the app (what build-aux/dev.sh installs on a host).
SDK_PACKAGES=(
  build-essential pkg-config meson ninja-build gettext itstool desktop-file-utils appstream
  libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libsecret-1-dev libsqlite3-dev zlib1g-dev libvte-2.91-gtk4-dev libgtksourceview-5-dev
  libwebkitgtk-6.0-dev libseccomp-dev cmake git
)

log () { echo "flatpak-runtime: $*" >&2; }

# The Debian mirror of this host, from its own apt configuration (deb822 or one-line format), so
# nothing here names a mirror.
host_mirror () {
  python3 - "$SUITE" <<'EOF'
import glob, sys
suite = sys.argv[1]
files = glob.glob('/etc/apt/sources.list.d/*.sources')
for path in files:
    for stanza in open(path, encoding='utf-8').read().split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith('#') or ':' not in line:
                continue
            k, v = line.split(':', 1)
            fields[k.strip().lower()] = v.split()
        if suite in fields.get('suites', []) and 'deb' in fields.get('types', []) \
                and fields.get('enabled', ['yes'])[0] != 'no':
            print(fields['uris'][0]); sys.exit(0)
for path in ['/etc/apt/sources.list'] + glob.glob('/etc/apt/sources.list.d/*.list'):
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = [w for w in line.split() if not w.startswith('[')]
        if len(words) >= 3 and words[0] == 'deb' and words[2] == suite:
            print(words[1]); sys.exit(0)
sys.exit(1)
EOF
}

extra_cas () {
  # Certificates the host's administrator added; the runtime trusts them too, so npm works behind
  # a TLS-inspecting proxy (see flatpak/README.md).
  find /usr/local/share/ca-certificates -type f -name '*.crt' 2>/dev/null | sort
}

script="$(readlink -f "$0")"
key="$( { cat "$script"; extra_cas | while read -r f; do cat "$f"; done; } | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/code-canvas-flatpak/$key"
repo="$cache/repo"

# Two runs at once (two worktrees) would build into the same directory: the second waits.
mkdir -p "$(dirname "$cache")"
exec 9>"$(dirname "$cache")/.lock"
flock -w 3600 9 || { log "another build of the test runtime holds the lock"; exit 1; }

if [ -f "$cache/done" ]; then
  log "cached: $repo"
  echo "$repo"
  exit 0
fi

mirror="$(host_mirror)" || { log "no Debian $SUITE source in the host's apt configuration"; exit 1; }
log "building into $cache from $mirror (key $key)"
rm -rf "$cache"
mkdir -p "$cache"
work="$cache/tmp"
mkdir -p "$work"

mounted=()
cleanup () {
  local m
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

in_root () {
  local root="$1"; shift
  timeout 2400 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    LANG=C.UTF-8 "$@"
}

apt_in_root () {
  local root="$1"; shift
  mount -t proc proc "$root/proc"; mounted+=("$root/proc")
  in_root "$root" apt-get update -q >&2
  in_root "$root" apt-get install -y -q --no-install-recommends "$@" >&2
  in_root "$root" apt-get clean
  umount "$root/proc"
}

platform_root="$work/platform-root"
t0=$SECONDS
timeout 1800 debootstrap --variant=minbase "$SUITE" "$platform_root" "$mirror" >&2
# The host's sources (mirror and security updates) instead of debootstrap's single line.
rm -f "$platform_root/etc/apt/sources.list"
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$platform_root/etc/apt/"
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && cp "$f" "$platform_root/etc/apt/sources.list.d/"
done
# Only Debian's own sources: third-party ones need keys the root file system does not have.
grep -L -E 'debian' "$platform_root"/etc/apt/sources.list.d/* 2>/dev/null | xargs -r rm -f
# Packages must not start services in the chroot.
printf '#!/bin/sh\nexit 101\n' > "$platform_root/usr/sbin/policy-rc.d"
chmod 755 "$platform_root/usr/sbin/policy-rc.d"
log "debootstrap: $((SECONDS - t0)) s"

t0=$SECONDS
apt_in_root "$platform_root" "${PLATFORM_PACKAGES[@]}"
if [ -n "$(extra_cas)" ]; then
  mkdir -p "$platform_root/usr/local/share/ca-certificates"
  extra_cas | while read -r f; do cp "$f" "$platform_root/usr/local/share/ca-certificates/"; done
  in_root "$platform_root" update-ca-certificates >&2
fi
log "platform packages: $((SECONDS - t0)) s"

t0=$SECONDS
sdk_root="$work/sdk-root"
cp -a "$platform_root" "$sdk_root"
apt_in_root "$sdk_root" "${SDK_PACKAGES[@]}"
log "SDK packages: $((SECONDS - t0)) s"

# A runtime is the root file system's /usr as files/, with its /etc inside as files/etc.
make_runtime () {
  local root="$1" dir="$2" name="$3"
  mkdir -p "$dir"
  cp -al "$root/usr" "$dir/files"
  cp -a "$root/etc" "$dir/files/etc"
  rm -rf "$dir/files/share/doc" "$dir/files/share/man" "$dir/files/share/info"
  # Unreadable for others; flatpak writes its own passwd and group.
  rm -f "$dir"/files/etc/{shadow,gshadow,shadow-,gshadow-}
  mkdir -p "$dir/files/etc/ld.so.conf.d"
  echo /app/lib > "$dir/files/etc/ld.so.conf.d/app.conf"
  # GNOME's runtime has flatpak-spawn in /usr/bin, Debian in a libexec directory: one path for both.
  [ -e "$dir/files/bin/flatpak-spawn" ] ||
    ln -s ../libexec/flatpak-xdg-utils/flatpak-spawn "$dir/files/bin/flatpak-spawn"
  cat > "$dir/metadata" <<EOF
[Runtime]
name=$name
runtime=$PLATFORM_ID/x86_64/$BRANCH
sdk=$SDK_ID/x86_64/$BRANCH
EOF
}

t0=$SECONDS
make_runtime "$platform_root" "$work/platform" "$PLATFORM_ID"
make_runtime "$sdk_root" "$work/sdk" "$SDK_ID"
ostree init --mode=archive-z2 --repo="$repo"
timeout 2400 flatpak build-export --runtime --files=files "$repo" "$work/platform" "$BRANCH" >&2
timeout 2400 flatpak build-export --runtime --files=files "$repo" "$work/sdk" "$BRANCH" >&2
log "export: $((SECONDS - t0)) s, repository $(du -sh "$repo" | cut -f1)"

rm -rf "$work"
touch "$cache/done"
echo "$repo"
