#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Inside Xvfb and the private session bus: start the services a desktop session has (a real
# gnome-keyring, a notification server), prove they answer, then run the suite.
# Every wait here is bounded; a service that does not come up ends the run at once with a
# message that says which one, instead of a test hanging on it later.
set -u
builddir="${BUILDDIR:-_build}"
scale="${CC_TEST_TIMEOUT_SCALE:-1}"
limit=$((30 * scale))

fail () {
  echo "headless-inner: $*" >&2
  exit 1
}

# The keyring, the way that is proven to work on a fresh machine: daemonized (so it is fully
# up, not half-started, when the command returns), unlocked with a non-empty password (with an
# empty one the login collection is never made), before anything else talks to it.
printf '%s' "cc-test-keyring" |
  gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null ||
  fail "gnome-keyring-daemon did not start"
gdbus wait --session --timeout "$limit" org.freedesktop.secrets ||
  fail "gnome-keyring did not take the name org.freedesktop.secrets within $limit s"

# The login collection must exist and be the default before the first store: a store to a
# default collection that does not exist yet makes gnome-keyring ask a prompt to create one,
# and nobody answers a prompt here.
tries=0
while :; do
  alias="$(timeout "$limit" gdbus call --session --dest org.freedesktop.secrets \
             --object-path /org/freedesktop/secrets \
             --method org.freedesktop.Secret.Service.ReadAlias default 2>/dev/null)"
  case "$alias" in *collection/login*) break ;; esac
  tries=$((tries + 1))
  [ "$tries" -lt $((limit * 10)) ] ||
    fail "gnome-keyring made no login collection within $limit s (default alias: ${alias:-none})"
  sleep 0.1
done

# One store, lookup and clear, the calls the product makes, each bounded.
printf '%s' "probe" | timeout "$limit" secret-tool store --label="Code Canvas suite probe" \
  cc-suite-probe yes ||
  fail "the keyring did not store a probe secret within $limit s: is it locked, or is a prompt waiting?"
[ "$(timeout "$limit" secret-tool lookup cc-suite-probe yes)" = "probe" ] ||
  fail "the keyring did not give back the probe secret within $limit s"
timeout "$limit" secret-tool clear cc-suite-probe yes ||
  fail "the keyring did not remove the probe secret within $limit s"

# A notification server: without one, GLib turns every notification into a warning that
# GTest makes fatal. It records what it is sent, for the app suite to check.
"$builddir/tests/cc-test-notifyd" &
gdbus wait --session --timeout "$limit" org.freedesktop.Notifications ||
  fail "the test notification server did not take its name within $limit s"

meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@"
