#!/usr/bin/env python3
# check-po.py: every translation in po/LINGUAS is valid and complete
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-po.py SOURCE_ROOT check|complete

check:    msgfmt --check --check-accelerators=_ (syntax, format strings, header, one mnemonic
          where the original has one) passes for every po/<lang>.po.
complete: extracts the strings of the files in po/POTFILES.in as they are now (same keywords
          as meson's 'glib' gettext preset), merges each po/<lang>.po with them in a temporary
          file and fails on any untranslated or fuzzy message, i.e. when the sources have
          strings that the translation lacks. Fix: meson compile -C <builddir> code-canvas-update-po,
          then translate what it added."""

import os
import re
import subprocess
import sys
import tempfile

XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments', '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2',
    '--keyword=NC_:1c,2', '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3',
    '--keyword=g_dpgettext2:2c,3', '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format',
    '--flag=NC_:2:pass-c-format', '--flag=g_dngettext:2:pass-c-format',
    '--flag=g_strdup_printf:1:c-format', '--flag=g_string_printf:2:c-format',
    '--flag=g_string_append_printf:2:c-format', '--flag=g_error_new:3:c-format',
    '--flag=g_set_error:4:c-format', '--flag=g_markup_printf_escaped:1:c-format',
    '--flag=g_printerr:1:c-format', '--flag=g_print:1:c-format',
]
STATS = re.compile(r'(\d+) translated messages?(?:, (\d+) fuzzy translations?)?'
                   r'(?:, (\d+) untranslated messages?)?')


def languages(root):
    with open(os.path.join(root, 'po', 'LINGUAS'), encoding='utf-8') as f:
        return [w for line in f if not line.lstrip().startswith('#') for w in line.split()]


def statistics(po):
    r = subprocess.run(['msgfmt', '--check', '--check-accelerators=_', '--statistics',
                        '-o', os.devnull, po],
                       capture_output=True, text=True)
    m = STATS.search(r.stderr)
    counts = tuple(int(g or 0) for g in m.groups()) if m else (0, 0, 0)
    return r.returncode, r.stderr.strip(), counts


def main():
    root, mode = sys.argv[1], sys.argv[2]
    langs = languages(root)
    if not langs:
        print('po/LINGUAS lists no language')
        return 1
    failed = False

    if mode == 'check':
        for lang in langs:
            rc, text, (translated, fuzzy, untranslated) = statistics(
                os.path.join(root, 'po', f'{lang}.po'))
            print(f'{lang}: {text}')
            if rc != 0 or translated == 0:
                failed = True
        return 1 if failed else 0

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'code-canvas.pot')
        subprocess.run(['xgettext', *XGETTEXT_ARGS, '--package-name=code-canvas',
                        '--directory', root, '--files-from', os.path.join(root, 'po', 'POTFILES.in'),
                        '--output', pot], check=True)
        for lang in langs:
            merged = os.path.join(tmp, f'{lang}.po')
            subprocess.run(['msgmerge', '--quiet', '--output-file', merged,
                            os.path.join(root, 'po', f'{lang}.po'), pot], check=True)
            rc, text, (translated, fuzzy, untranslated) = statistics(merged)
            print(f'{lang} against the current sources: {text}')
            if rc != 0 or fuzzy or untranslated:
                failed = True
                subprocess.run(['msgattrib', '--only-fuzzy', '--no-obsolete', merged])
                subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', merged])
    if failed:
        print(__doc__.split('complete: ', 1)[1])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
