#!/usr/bin/env python3
# check-screenshots.py: every screenshot the metainfo names is in data/screenshots/
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-screenshots.py SOURCE_ROOT METAINFO_IN

The metainfo points at the repository's raw files (software centres fetch them from there), so
each <image> must name a PNG that exists in this checkout, large enough to be shown. The app at a
laptop's width and a phone's, light and dark, are there at exactly those widths (the app suite's
/app/layout/screenshots makes them, in its build directory's screenshots/store/)."""

# name → width of the app's own window in it
WIDTHS = {'main.png': 1280, 'main-dark.png': 1280, 'narrow.png': 360, 'narrow-dark.png': 360}


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return struct.unpack('>II', head[16:24])

import os
import struct
import sys
import xml.etree.ElementTree as ET

RAW_PREFIX = 'https://raw.githubusercontent.com/codecanvas/code-canvas/main/'


def main():
    root, metainfo = sys.argv[1], sys.argv[2]
    problems = []
    images = [img.text.strip() for img in ET.parse(metainfo).getroot().iter('image')]
    if not images:
        problems.append('the metainfo has no screenshots')
    for url in images:
        if not url.startswith(RAW_PREFIX):
            problems.append(f'{url}: not a file of the repository ({RAW_PREFIX}…)')
            continue
        path = os.path.join(root, url[len(RAW_PREFIX):])
        try:
            with open(path, 'rb') as f:
                head = f.read(24)
        except OSError as e:
            problems.append(f'{url}: {e.strerror}: {os.path.relpath(path, root)}')
            continue
        if head[:8] != b'\x89PNG\r\n\x1a\n':
            problems.append(f'{url}: not a PNG file')
            continue
        width, height = struct.unpack('>II', head[16:24])
        if width < 620 or height < 350:
            problems.append(f'{url}: {width}×{height} is too small to show (at least 620×350)')
        else:
            print(f'ok: {os.path.relpath(path, root)} {width}×{height}')
    for name, want in WIDTHS.items():
        path = os.path.join(root, 'data', 'screenshots', name)
        try:
            size = png_size(path)
        except OSError as e:
            problems.append(f'data/screenshots/{name}: {e.strerror}')
            continue
        if size is None or size[0] != want:
            problems.append(f'data/screenshots/{name}: {size} is not {want} px wide')
        else:
            print(f'ok: data/screenshots/{name} is {want} px wide')
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
