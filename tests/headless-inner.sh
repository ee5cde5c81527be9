#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Inside Xvfb and the session bus: unlock a real gnome-keyring, then run the suite.
set -u
# A non-empty password, or the login collection is never created.
printf '%s' "cc-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# --unlock may return before the daemon owns its name.
gdbus wait --session --timeout 10 org.freedesktop.secrets
meson test -C "${BUILDDIR:-_build}" --print-errorlogs --num-processes 2 "$@"
