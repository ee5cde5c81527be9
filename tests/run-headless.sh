#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs meson test for $BUILDDIR (default _build) under Xvfb and a private D-Bus session with an
# unlocked gnome-keyring, in a throwaway home so nothing leaks into or out of the user's profile.
# With ASAN=1 it sets the sanitizer options. Prints meson's summary; exits non-zero on failure.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
ci_home="$(mktemp -d /tmp/cc-test-home.XXXXXX)"
export HOME="$ci_home" XDG_CONFIG_HOME="$ci_home/.config" XDG_DATA_HOME="$ci_home/.local/share" \
       XDG_CACHE_HOME="$ci_home/.cache" XDG_RUNTIME_DIR="$ci_home/run"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
chmod 700 "$XDG_RUNTIME_DIR"
export GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none GSETTINGS_BACKEND=memory
unset WAYLAND_DISPLAY DISPLAY E2B_API_KEY E2B_API_URL E2B_SANDBOX_URL E2B_DOMAIN
if [ "${ASAN:-0}" = 1 ]; then
  # Sanitized code runs several times slower: every bound in the tests scales with it, as
  # meson's own timeouts do (dev.sh passes --timeout-multiplier 4).
  export CC_TEST_TIMEOUT_SCALE="${CC_TEST_TIMEOUT_SCALE:-4}"
  export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
  export GDK_DEBUG=gl-disable
fi
xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" \
  dbus-run-session -- "$here/headless-inner.sh" "$@"
rc=$?
rm -rf "$ci_home"
exit $rc
