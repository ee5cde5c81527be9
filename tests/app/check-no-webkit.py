#!/usr/bin/env python3
# check-no-webkit.py: the application does not link WebKitGTK
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-no-webkit.py PROGRAM

WebKitGTK is loaded with the preview's module the first time a preview is shown; linked into
the program, it would be mapped and relocated at every start. Fails when the dynamic loader
would load WebKitGTK or JavaScriptCore for PROGRAM."""

import subprocess
import sys


def main():
    program = sys.argv[1]
    r = subprocess.run(['ldd', program], capture_output=True, text=True)
    if r.returncode != 0:
        print(f'ldd failed on {program}: {r.stderr}')
        return 1
    loaded = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
    found = [name for name in loaded if 'webkit' in name.lower() or 'javascriptcore' in name.lower()]
    if found:
        print(f'{program} links {", ".join(found)}: only the web module may')
        return 1
    # The check must have seen the program's libraries, or it proves nothing.
    if not any('libgtk-4' in name for name in loaded):
        print(f'ldd listed no GTK for {program}: {r.stdout}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
