#!/usr/bin/env python3
# check-potfiles.py: po/POTFILES.in must list every file with translatable strings
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fail when a file under src/ or data/ has translatable strings but is not in po/POTFILES.in,
or when POTFILES.in lists a file that does not exist.

Usage: check-potfiles.py SOURCE_ROOT [--print]
With --print, write the complete list (what POTFILES.in should contain) to stdout instead."""

import os
import re
import sys

# _ ("x"), N_("x"), C_("ctx", "x"), NC_(...), Q_(...), with or without GNU style's space.
C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC|Q)?_\s*\(\s*"|(?<![A-Za-z0-9_])g?_?d?n?gettext\s*\(')
UI_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
# These are translatable as a whole (desktop keys, metainfo, schema summaries and descriptions).
ALWAYS = re.compile(r'(\.desktop\.in|\.metainfo\.xml\.in|\.appdata\.xml\.in|\.gschema\.xml)$')
SCANNED = ('src', 'data')
SKIP_DIRS = {'screenshots', '__pycache__'}


def needs_translation(path):
    if ALWAYS.search(path):
        return True
    if path.endswith(('.c', '.h')):
        markers = C_MARKERS
    elif path.endswith('.ui'):
        markers = UI_MARKER
    else:
        return False
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return False
    return markers.search(text) is not None


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    wanted = set()
    for top in SCANNED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for name in filenames:
                full = os.path.join(dirpath, name)
                if needs_translation(full):
                    wanted.add(os.path.relpath(full, root))

    if '--print' in sys.argv[2:]:
        for path in sorted(wanted):
            print(path)
        return 0

    listed = set()
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.add(line)

    missing = sorted(wanted - listed)
    absent = sorted(p for p in listed if not os.path.exists(os.path.join(root, p)))
    for path in missing:
        print(f'not in po/POTFILES.in but has translatable strings: {path}')
    for path in absent:
        print(f'listed in po/POTFILES.in but does not exist: {path}')
    if missing or absent:
        print('Fix: add or remove these lines in po/POTFILES.in, then run '
              '"meson compile -C <builddir> code-canvas-update-po" and translate the new strings.')
        return 1
    print(f'ok: {len(listed)} files listed, none missing')
    return 0


if __name__ == '__main__':
    sys.exit(main())
