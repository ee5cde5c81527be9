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
# One command in a new "flatpak run" of the installed app: each call is its own instance.
cli () {
  timeout $((${CLI_LIMIT:-60} * scale)) flatpak run --user --command=code-canvas-cli "$APP_ID" "$@"
}
run_in () {
  timeout $((60 * scale)) flatpak run --user --command="$1" "$APP_ID" "${@:2}"
}

# ---- checks ------------------------------------------------------------------------------------
echo "# $(flatpak --user info "$APP_ID" 2>&1 | grep -E 'Runtime|Commit|Installed' | tr -s ' ' | tr '\n' ' ')"

# The portal starts each --sandbox child with "flatpak run" in a cleared environment: this shows
# that the private installation is still found, which everything below relies on.
if o="$(run_in flatpak-spawn --sandbox --watch-bus sh -c 'echo spawned; test -e /.flatpak-info && echo inside' 2>&1)" &&
   printf '%s' "$o" | grep -q inside; then
  ok "flatpak-spawn --sandbox runs a child from inside the app"
else
  not_ok "flatpak-spawn --sandbox runs a child from inside the app"; printf '%s\n' "$o" | diag
fi

o="$(CLI_LIMIT=90 cli engine status --start 2>&1)"; rc=$?
printf '%s\n' "$o" > "$out/engine-status.txt"
if [ $rc = 0 ] && printf '%s' "$o" | grep -q 'isolated (flatpak-spawn)'; then
  ok "the engine reports flatpak-spawn isolation"
else
  not_ok "the engine reports flatpak-spawn isolation"
fi
printf 'engine status (exit %s):\n%s\n' "$rc" "$o" | diag

# A second "flatpak run" is another PID namespace: the engine started above must still be found.
o="$(cli engine status 2>&1)"; rc=$?
if [ $rc = 0 ] && printf '%s' "$o" | grep -q 'runs at'; then
  ok "the engine is found from a second flatpak run"
else
  not_ok "the engine is found from a second flatpak run"; printf 'exit %s: %s\n' "$rc" "$o" | diag
fi

# Two sandboxes: B must not see A's files nor the app's own data (projects, history, keys).
suffix="$$"
cli project create "fp-a-$suffix" >/dev/null 2>&1
cli project create "fp-b-$suffix" >/dev/null 2>&1
a_dir="$(cli exec --no-cache "fp-a-$suffix" -- 'echo a-secret > mine.txt && pwd' 2>"$out/exec-a.err" | tail -n1)"
app_data="$HOME/.var/app/$APP_ID/data/code-canvas"
if [ -z "$a_dir" ]; then
  not_ok "a sandbox cannot see another sandbox's files"; diag < "$out/exec-a.err"
else
  o="$(cli exec --no-cache "fp-b-$suffix" -- "cat '$a_dir/mine.txt'; ls -d ../* 2>/dev/null" 2>&1)"
  if printf '%s' "$o" | grep -q a-secret; then
    not_ok "a sandbox cannot see another sandbox's files"
    printf 'sandbox B read %s/mine.txt; B sees:\n%s\n' "$a_dir" "$o" | diag
  else
    ok "a sandbox cannot see another sandbox's files"
  fi
fi
o="$(cli exec --no-cache "fp-b-$suffix" -- "ls '$app_data'" 2>&1)"; rc=$?
if [ $rc = 0 ]; then
  not_ok "a sandbox cannot see the app's data"; printf 'ls %s in sandbox B:\n%s\n' "$app_data" "$o" | diag
else
  ok "a sandbox cannot see the app's data"
fi

# Signals and the PTY, through the official E2B SDK on the host (loopback is shared).
env_lines="$(cli engine env 2>/dev/null)"
sdk_out="$(env $(printf '%s\n' "$env_lines" | grep -E '^(export )?E2B_[A-Z_]+=' | sed 's/^export //' | tr -d "'\"") \
  timeout $((200 * scale)) node "$here/sdk-checks.mjs" "$top/tests/sdk" 2>"$out/sdk-checks.err")"
for name in "a SIGTERM trap runs" "tty is a tty in the PTY shell" "Ctrl+C stops the foreground job"; do
  line="$(printf '%s\n' "$sdk_out" | grep -F -- " $name" | head -n1)"
  case "$line" in
    PASS*) ok "$name" ;;
    FAIL*) not_ok "$name"; printf '%s\n' "${line#*: }" | diag ;;
    *) not_ok "$name"; { echo "no result; sdk-checks said:"; printf '%s\n' "$sdk_out"; cat "$out/sdk-checks.err"; } | diag ;;
  esac
done

# The Node template: setup (npm install), the dev server, the preview answering on loopback.
web="fp-web-$suffix"
cli project create "$web" --template node >/dev/null 2>&1
o="$(CLI_LIMIT=600 cli setup "$web" 2>&1)"; rc=$?
printf '%s\n' "$o" > "$out/node-setup.txt"
if [ $rc = 0 ]; then ok "the Node template sets up (npm install)"; else
  not_ok "the Node template sets up (npm install)"; printf 'exit %s\n%s\n' "$rc" "$o" | tail -n 12 | diag; fi
url="$(CLI_LIMIT=180 cli dev "$web" 2>"$out/node-dev.err" | tail -n1)"
case "$url" in
  http://127.0.0.1:*|http://localhost:*|http://\[::1\]:*)
    if body="$(timeout $((20 * scale)) curl -sS --max-time $((15 * scale)) "$url" 2>&1)"; then
      ok "the Node template's dev server answers at its preview URL"; printf 'GET %s: %s\n' "$url" "$body" | diag 3
    else
      not_ok "the Node template's dev server answers at its preview URL"; printf 'GET %s: %s\n' "$url" "$body" | diag
    fi ;;
  *) not_ok "the Node template's dev server answers at its preview URL"
     { echo "dev printed: ${url:-nothing}"; cat "$out/node-dev.err"; } | diag ;;
esac
# A package from the npm registry, inside a sandbox: TLS and the runtime's trust store.
o="$(CLI_LIMIT=300 cli exec --no-cache "$web" -- 'npm install --no-audit --no-fund --loglevel=error is-number@7.0.0 && node -e "console.log(require(\"is-number\")(42))"' 2>&1)"; rc=$?
if [ $rc = 0 ] && printf '%s' "$o" | grep -qx true; then
  ok "npm install from the npm registry inside a sandbox"
else
  not_ok "npm install from the npm registry inside a sandbox"; printf 'exit %s\n%s\n' "$rc" "$o" | tail -n 12 | diag
fi

# The key goes through the Secret portal into the app's own keyring file, with no permission.
o="$(printf 'cc-flatpak-test-key\n' | cli key set 2>&1)"; rc=$?
keyring_file="$HOME/.var/app/$APP_ID/data/keyrings/default.keyring"
if [ $rc = 0 ] && [ -s "$keyring_file" ]; then
  ok "key set stores the key through the Secret portal"
else
  not_ok "key set stores the key through the Secret portal"
  printf 'exit %s: %s\n%s\n' "$rc" "$o" "$(ls -la "$(dirname "$keyring_file")" 2>&1)" | diag
fi

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
