#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs INSIDE one instance of the installed app (flatpak run --command=bash APP -s < inside.sh),
# so the CLI steps share one engine and its processes end with this instance (finding the engine
# from a second "flatpak run" is checked separately by run.sh).
# Prints "PASS name", "FAIL name: why", "# evidence" and "ENV E2B_…=…" lines for run.sh.
#
# usage: bash -s SCALE APP_DATA_DIR RELEASE_FILE < inside.sh
# After its checks it prints "WAITING" and keeps the instance (and its engine) alive until
# RELEASE_FILE exists, so run.sh can reach that engine from the host meanwhile.
set -u
scale="${1:-1}"
app_data="${2:-}"
release="${3:-}"
tmp="$(mktemp -d)"

# Output goes to files, never through a pipe held open: the engine the CLI starts inherits the
# CLI's stdout and would keep a command substitution waiting forever.
cli () {
  local limit="$1"; shift
  timeout -k 5 $((limit * scale)) code-canvas-cli "$@" >"$tmp/out" 2>&1 </dev/null
}
cli_in () {
  local limit="$1"; shift
  timeout -k 5 $((limit * scale)) code-canvas-cli "$@" >"$tmp/out" 2>&1
}
evidence () { head -n "${1:-12}" "$tmp/out" | sed -e 's/^/# /'; }

cli 90 engine status --start; rc=$?
echo "# engine status (exit $rc):"; evidence
if [ $rc = 0 ] && grep -q 'isolated (flatpak-spawn)' "$tmp/out"; then
  echo "PASS the engine reports flatpak-spawn isolation"
else
  echo "FAIL the engine reports flatpak-spawn isolation: see the status above"
fi
cli 30 engine env && sed -n 's/^\(E2B_[A-Z_]*=.*\)$/ENV \1/p' "$tmp/out"

# Two sandboxes: B must see neither A's files nor the app's own data (projects, history, keys).
suffix="$$"
cli 60 project create "fp-a-$suffix"
cli 60 project create "fp-b-$suffix"
name="a sandbox cannot see another sandbox's files"
if cli 60 exec --no-cache "fp-a-$suffix" -- 'echo a-secret > mine.txt && pwd'; then
  a_dir="$(tail -n1 "$tmp/out")"
  cli 60 exec --no-cache "fp-b-$suffix" -- "cat '$a_dir/mine.txt'; echo; ls -d ../* 2>/dev/null"
  if grep -q a-secret "$tmp/out"; then
    echo "FAIL $name: sandbox B read $a_dir/mine.txt"; evidence 6
  else
    echo "PASS $name"
  fi
else
  echo "FAIL $name: sandbox A could not run a command"; evidence
fi
# Flatpak makes the parents of an exposed directory, empty: what must stay out of sight is what
# they hold, the project database and the engine's state.
name="a sandbox cannot see the app's data"
if cli 60 exec --no-cache "fp-b-$suffix" -- \
     "for f in code-canvas.db code-canvas.db-wal engine/state; do [ -e '$app_data'/\$f ] && echo visible: \$f; done; echo checked-\$((6*7))" &&
   grep -q checked-42 "$tmp/out" && ! grep -q visible: "$tmp/out"; then
  echo "PASS $name"
else
  echo "FAIL $name: sandbox B sees the app's data in $app_data"; evidence 6
fi

# The Node template: setup (npm install), the dev server, the preview answering on loopback.
web="fp-web-$suffix"
cli 60 project create "$web" --template node
name="the Node template sets up (npm install)"
if cli 600 setup "$web"; then echo "PASS $name"; else echo "FAIL $name: exit $?"; tail -n 12 "$tmp/out" | sed -e 's/^/# /'; fi
name="the Node template's dev server answers at its preview URL"
if cli 180 dev "$web"; then
  url="$(grep -o 'http://[^ ]*' "$tmp/out" | tail -n1)"
  case "$url" in
    http://127.0.0.1:*|http://localhost:*)
      # Python from the runtime: the app's own network view of loopback.
      if python3 - "$url" "$((15 * scale))" >"$tmp/out" 2>&1 <<'EOF'
import sys, urllib.request
body = urllib.request.urlopen(sys.argv[1], timeout=int(sys.argv[2])).read()
print(body[:200].decode('utf-8', 'replace'))
EOF
      then echo "PASS $name"; echo "# GET $url"; evidence 3
      else echo "FAIL $name: GET $url failed"; evidence; fi ;;
    *) echo "FAIL $name: no loopback URL in the output"; evidence ;;
  esac
else
  echo "FAIL $name: dev exited $?"; evidence
fi
# Sandboxes with internet access share the app's network: a second project cannot take the port
# the first one's dev server holds, and the dev flow says which project holds it.
name="a port held by another project's dev server is named"
cli 60 project create "fp-web2-$suffix" --template node
if cli 120 dev "fp-web2-$suffix"; then
  echo "FAIL $name: dev succeeded on a port held by $web"; evidence
elif grep -q "“$web”" "$tmp/out"; then
  echo "PASS $name"; evidence 3
else
  echo "FAIL $name: the message does not name $web"; evidence
fi
# A package from the npm registry inside a sandbox: TLS with the runtime's trust store.
name="npm install from the npm registry inside a sandbox"
if cli 300 exec --no-cache "$web" -- 'npm install --no-audit --no-fund --loglevel=error is-number@7.0.0 && node -e "console.log(require(\"is-number\")(42))"' &&
   grep -qx true "$tmp/out"; then
  echo "PASS $name"
else
  echo "FAIL $name"; tail -n 12 "$tmp/out" | sed -e 's/^/# /'
fi

# The key goes through the Secret portal into the app's own keyring file, with no permission.
name="key set stores the key through the Secret portal"
keyring_file="${XDG_DATA_HOME:-$HOME/.local/share}/keyrings/default.keyring"
if printf 'cc-flatpak-test-key\n' | cli_in 60 key set && [ -s "$keyring_file" ]; then
  echo "PASS $name"; echo "# $keyring_file: $(stat -c %s "$keyring_file") bytes"
else
  echo "FAIL $name"; evidence; echo "# $(ls -la "$(dirname "$keyring_file")" 2>&1 | tr '\n' ' ')"
fi
rm -rf "$tmp"
echo "WAITING"
for _ in $(seq $((600 * scale))); do [ -e "$release" ] && break; sleep 1; done
rm -f "$release"
