#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak suite: checks the installed io.github.codecanvas.CodeCanvas from the outside, the
# way a user meets it, under Xvfb and a private D-Bus session with xdg-desktop-portal (GTK
# backend), the Flatpak portal and an unlocked gnome-keyring.
# Prints "ok N - name" / "not ok N - name" with "# " lines of evidence, then "N passed, N failed".
#
# usage: HOME=<private home holding the installation> tests/flatpak/run.sh
# build-aux/flatpak-test.sh sets HOME; CC_FLATPAK_OUT (default $HOME/../suite) receives the
# screenshot and the logs. CC_TEST_TIMEOUT_SCALE multiplies every bound.
# Network: loopback (the engine, the preview) and the npm registry (npm install) only.
set -u

APP_ID=io.github.codecanvas.CodeCanvas
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
scale="${CC_TEST_TIMEOUT_SCALE:-1}"
out="${CC_FLATPAK_OUT:-$HOME/../suite}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
export FLATPAK_USER_DIR="${FLATPAK_USER_DIR:-$HOME/.local/share/flatpak}"
# The suite wipes the app's data in HOME: only ever in the private home flatpak-test.sh made.
if [ ! -e "$HOME/.code-canvas-flatpak-test-home" ]; then
  echo "Bail out! HOME=$HOME is not a private test home (run build-aux/dev.sh flatpak)"
  exit 1
fi
rm -rf "$HOME/.var/app/$APP_ID"

n=0 passed=0 failed=0
ok () { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag () { sed -e 's/^/#   /' | head -n "${2:-15}"; }
bail () { echo "Bail out! $*"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }

# ---- private session -----------------------------------------------------------------------
tmp="$(mktemp -d /tmp/cc-flatpak.XXXXXX)"
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
export XDG_CURRENT_DESKTOP=GNOME GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none
export LIBGL_ALWAYS_SOFTWARE=1
unset WAYLAND_DISPLAY DISPLAY E2B_API_KEY E2B_API_URL E2B_SANDBOX_URL E2B_DOMAIN

xvfb_pid= dbus_pid= app_pid=
cleanup () {
  # Every instance of the app (the engine keeps its own alive), then the session.
  timeout 20 flatpak kill "$APP_ID" >/dev/null 2>&1
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$dbus_pid" ] && kill "$dbus_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$tmp/display" 2>"$out/xvfb.log" &
xvfb_pid=$!
for _ in $(seq $((100 * scale))); do [ -s "$tmp/display" ] && break; sleep 0.1; done
[ -s "$tmp/display" ] || bail "Xvfb did not start"
export DISPLAY=":$(head -n1 "$tmp/display")"

# Our own bus at a path in XDG_RUNTIME_DIR, where flatpak's D-Bus proxy finds it. Services it
# activates (the portals) inherit this environment: private HOME, DISPLAY, XDG_CURRENT_DESKTOP.
export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"
dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS" 2>"$out/dbus.log" &
dbus_pid=$!
for _ in $(seq $((100 * scale))); do [ -S "$XDG_RUNTIME_DIR/bus" ] && break; sleep 0.1; done
[ -S "$XDG_RUNTIME_DIR/bus" ] || bail "dbus-daemon did not start"

limit=$((30 * scale))
# Daemonized and unlocked with a non-empty password, or the first store hangs on a prompt.
printf '%s' "cc-flatpak-keyring" |
  timeout "$limit" gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null ||
  bail "gnome-keyring-daemon did not start"
gdbus wait --session --timeout "$limit" org.freedesktop.secrets || bail "gnome-keyring took no name"
for name in org.freedesktop.portal.Desktop org.freedesktop.portal.Flatpak; do
  timeout "$limit" gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.StartServiceByName "$name" 0 >/dev/null || bail "$name did not start"
done

# ---- helpers ---------------------------------------------------------------------------------
# Output goes to files, never through a command substitution on "flatpak run": an engine the
# CLI starts inherits its stdout and would keep the substitution waiting after the timeout.
run_app () {
  local limit="$1" file="$2"; shift 2
  timeout -k 5 $((limit * scale)) flatpak run --user "$@" >"$file" 2>&1 </dev/null
}
# Turns "PASS name" / "FAIL name: why" / "# evidence" lines into TAP lines.
report () {
  local line
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) ok "${line#PASS }" ;;
      FAIL\ *) line="${line#FAIL }"; not_ok "${line%%: *}"
               [ "${line#*: }" = "$line" ] || echo "#   ${line#*: }" ;;
      '#'*) echo "#   ${line#\#}" ;;
    esac
  done
}

# ---- checks ------------------------------------------------------------------------------------
echo "# $(timeout 30 flatpak --user info "$APP_ID" 2>&1 | grep -E 'Runtime|Commit|Installed' | tr -s ' ' | tr '\n' ' ')"

# The portal starts each --sandbox child with "flatpak run" in a cleared environment: this shows
# that the private installation is still found, which the engine's launcher will rely on.
name="flatpak-spawn --sandbox runs a child from inside the app"
if run_app 60 "$tmp/spawn" --command=flatpak-spawn "$APP_ID" --sandbox --watch-bus \
     sh -c 'test -e /.flatpak-info && echo inside' && grep -q inside "$tmp/spawn"; then
  ok "$name"
else
  not_ok "$name"; diag < "$tmp/spawn"
fi

# One instance runs the CLI checks (inside.sh) and stays up while the host checks its engine.
app_data="$HOME/.var/app/$APP_ID/data/code-canvas"
release="$HOME/.var/app/$APP_ID/data/cc-flatpak-release"
mkdir -p "$(dirname "$release")"
rm -f "$release"
timeout -k 10 $((1500 * scale)) flatpak run --user --command=bash "$APP_ID" -s "$scale" "$app_data" \
  "$release" < "$here/inside.sh" >"$out/inside.txt" 2>&1 &
inside_pid=$!
for _ in $(seq $((1500 * scale))); do
  grep -q '^WAITING' "$out/inside.txt" && break
  kill -0 "$inside_pid" 2>/dev/null || break
  sleep 1
done
report < "$out/inside.txt"

# A second "flatpak run" is another PID namespace: the engine started above must be found.
name="the engine is found from a second flatpak run"
run_app 60 "$tmp/second" --command=code-canvas-cli "$APP_ID" engine status; rc=$?
if [ $rc = 0 ] && grep -q 'runs at' "$tmp/second"; then ok "$name"; else
  not_ok "$name"; { echo "exit $rc:"; cat "$tmp/second"; } | diag; fi

# Signals and the PTY, through the official E2B SDK on the host (loopback is shared).
sdk_env=()
while IFS= read -r line; do sdk_env+=("${line#ENV }"); done < <(grep '^ENV E2B_' "$out/inside.txt")
if [ ${#sdk_env[@]} -ge 3 ]; then
  env "${sdk_env[@]}" timeout -k 5 $((200 * scale)) node "$here/sdk-checks.mjs" "$top/tests/sdk" \
    >"$out/sdk-checks.txt" 2>&1 </dev/null
else
  echo "FAIL sdk-checks: no E2B_* lines from \"code-canvas-cli engine env\" inside the app" >"$out/sdk-checks.txt"
fi
for name in "a SIGTERM trap runs" "tty is a tty in the PTY shell" "Ctrl+C stops the foreground job" \
            "a sandbox without internet access has a loopback of its own"; do
  line="$(grep -F -- " $name" "$out/sdk-checks.txt" | head -n1)"
  case "$line" in
    PASS*) ok "$name" ;;
    FAIL*) not_ok "$name"; printf '%s\n' "${line#*: }" | diag ;;
    *) not_ok "$name"; diag < "$out/sdk-checks.txt" ;;
  esac
done
touch "$release"
wait "$inside_pid" 2>/dev/null

# The window: the app started inside the Flatpak shows it on the Xvfb screen.
flatpak run --user "$APP_ID" >"$out/app.log" 2>&1 &
app_pid=$!
title=
for _ in $(seq $((60 * scale))); do
  title="$(timeout 5 xwininfo -root -tree 2>/dev/null | grep -o '"[^"]*Code Canvas[^"]*"' | head -n1)"
  [ -n "$title" ] && break
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 1
done
if [ -n "$title" ]; then
  sleep $((3 * scale)) # let the first frame be drawn before the screenshot
  timeout 30 import -display "$DISPLAY" -window root "$out/window.png" 2>>"$out/app.log"
  ok "the app window opens inside the Flatpak"; echo "#   window $title; screenshot $out/window.png"
else
  not_ok "the app window opens inside the Flatpak"; diag < "$out/app.log"
  timeout 30 import -display "$DISPLAY" -window root "$out/window.png" 2>/dev/null
fi
kill "$app_pid" 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
