#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Print 'N passed, N failed' over one or more meson testlog.json files, counting TAP cases."""
import json
import os
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")
PLAN = re.compile(r"^1\.\.\d+", re.M)


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test.get("result")
            out = test.get("stdout") or ""
            p = f = s = 0
            for tap in (out.splitlines() if PLAN.search(out) else []):
                m = TAP.match(tap)
                if not m:
                    continue
                ok, rest = m.group(1) == "ok", m.group(2)
                directive = rest.split("#", 1)[1].strip().upper() if "#" in rest else ""
                if directive.startswith("SKIP"):
                    s += 1
                elif directive.startswith("TODO"):
                    continue  # expected failures count neither way
                elif ok:
                    p += 1
                else:
                    f += 1
            if p + f + s == 0:  # not TAP, or died before its first case
                if result in ("OK", "EXPECTEDFAIL"):
                    p = 1
                elif result == "SKIP":
                    s = 1
                else:
                    f = 1
            elif result not in ("OK", "EXPECTEDFAIL", "SKIP") and f == 0:
                f = 1  # crashed or timed out after some passing cases
            passed, failed, skipped = passed + p, failed + f, skipped + s
    return passed, failed, skipped


def main():
    paths = sys.argv[1:] or ["_build/meson-logs/testlog.json"]
    passed = failed = skipped = 0
    for path in paths:
        if not os.path.exists(path):
            print(f"{path}: no test log (the build or the run did not happen)", file=sys.stderr)
            failed += 1
            continue
        p, f, s = count(path)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
