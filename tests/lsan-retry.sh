#!/bin/bash
# lsan-retry.sh: meson test's wrapper for the sanitized build
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: lsan-retry.sh PROGRAM [ARGS…]
# Runs one test program. When it failed only because LeakSanitizer's own stop-the-world tracer
# crashed at exit ("Tracer caught signal …", "LeakSanitizer has encountered a fatal error"), the
# leak check never ran: that is the sanitizer runtime's known intermittent fault, not a leak nor a
# failed case. The program is then run once more, and that run's output and status are the
# result. Any other failure is the result as it is. Output is held until the run ends, so that
# meson reads one TAP stream; on SIGTERM (meson's timeout) what was printed so far is passed on.
set -u

out="$(mktemp /tmp/cc-lsan-retry.XXXXXX)"
err="$(mktemp /tmp/cc-lsan-retry.XXXXXX)"
child=
note=

finish() {
  cat "$out"
  [ -n "$note" ] && printf '%s\n' "$note" >&2
  cat "$err" >&2
  rm -f "$out" "$err"
}

on_term() {
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null && wait "$child"
  finish
  exit 143
}
trap on_term TERM INT

for attempt in 1 2; do
  "$@" >"$out" 2>"$err" &
  child=$!
  wait "$child"
  rc=$?
  child=
  if [ "$rc" -ne 0 ] && [ "$attempt" = 1 ] &&
     grep -q '^Tracer caught signal' "$err" &&
     grep -q 'LeakSanitizer has encountered a fatal error' "$err"; then
    note="lsan-retry: LeakSanitizer's tracer crashed at exit (the leak check did not run);
the output below is of a second run. The first run's error:
$(grep -E 'Tracer caught signal|LeakSanitizer' "$err")"
    continue
  fi
  break
done
finish
exit "$rc"
