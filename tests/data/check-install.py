#!/usr/bin/env python3
# check-install.py: meson install --destdir produces a tree that works
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-install.py BUILDDIR PREFIX BINDIR DATADIR MANDIR LOCALEDIR APP_ID BUILD_APP LIBDIR
                        LIBEXECDIR

Installs the build into a temporary DESTDIR and checks that the binaries (the sandbox launcher
too), schema, desktop file, metainfo, icons, D-Bus service, translations, man page and bash
completion are where they belong (the app's web preview module too), that the installed data is
valid, and that the installed code-canvas-cli runs."""

import os
import shutil
import subprocess
import sys
import tempfile

problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def under(destdir, prefix, d):
    # An option may be relative to the prefix (the default) or absolute.
    full = d if os.path.isabs(d) else os.path.join(prefix, d)
    return os.path.join(destdir, full.lstrip('/'))


def main():
    builddir, prefix, bindir, datadir, mandir, localedir, app_id, build_app, libdir, libexecdir = sys.argv[1:11]
    build_app = build_app == 'true'

    with tempfile.TemporaryDirectory(prefix='cc-install-') as destdir:
        r = subprocess.run(['meson', 'install', '-C', builddir, '--destdir', destdir,
                            '--no-rebuild', '--quiet'], capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            print('meson install failed')
            return 1

        bin_ = under(destdir, prefix, bindir)
        launcher = os.path.join(under(destdir, prefix, libexecdir), 'code-canvas-launcher')
        share = under(destdir, prefix, datadir)
        man = under(destdir, prefix, mandir)
        locale = under(destdir, prefix, localedir)

        expected = {
            os.path.join(bin_, 'code-canvas-cli'): 'the CLI',
            os.path.join(bin_, 'code-canvas-engine'): 'the local engine',
            # Where the installed engine looks for it, relative to itself or in LIBEXECDIR.
            launcher: 'the sandbox launcher',
            os.path.join(share, 'glib-2.0', 'schemas', f'{app_id}.gschema.xml'): 'the GSettings schema',
            os.path.join(share, 'applications', f'{app_id}.desktop'): 'the desktop file',
            os.path.join(share, 'metainfo', f'{app_id}.metainfo.xml'): 'the AppStream metainfo',
            os.path.join(share, 'icons', 'hicolor', 'scalable', 'apps', f'{app_id}.svg'): 'the icon',
            os.path.join(share, 'icons', 'hicolor', 'symbolic', 'apps', f'{app_id}-symbolic.svg'):
                'the symbolic icon',
            os.path.join(share, 'dbus-1', 'services', f'{app_id}.service'): 'the D-Bus service',
            os.path.join(locale, 'de', 'LC_MESSAGES', 'code-canvas.mo'): 'the German translation',
            os.path.join(man, 'man1', 'code-canvas-cli.1'): 'the CLI man page',
            os.path.join(share, 'bash-completion', 'completions', 'code-canvas-cli'):
                'the CLI bash completion',
        }
        if build_app:
            expected[os.path.join(bin_, 'code-canvas')] = 'the application'
            # Where the app looks for it (MODULEDIR): loaded when a preview is first shown.
            expected[os.path.join(under(destdir, prefix, libdir), 'code-canvas', 'libcc-webkit.so')] = \
                'the web preview module'
        for path, what in expected.items():
            check(os.path.isfile(path), f'{what} is not installed: {os.path.relpath(path, destdir)}')
        programs = [os.path.join(bin_, name) for name in ('code-canvas', 'code-canvas-cli', 'code-canvas-engine')]
        for path in programs + [launcher]:
            name = os.path.basename(path)
            if os.path.exists(path):
                check(os.access(path, os.X_OK), f'{name} is not executable')

        # Installed data is valid where it is.
        desktop = os.path.join(share, 'applications', f'{app_id}.desktop')
        if os.path.isfile(desktop) and shutil.which('desktop-file-validate'):
            r = subprocess.run(['desktop-file-validate', desktop], capture_output=True, text=True)
            check(r.returncode == 0, f'installed desktop file is invalid: {r.stdout}{r.stderr}')
            with open(desktop, encoding='utf-8') as f:
                text = f.read()
            check('Name[de]=' in text or 'Comment[de]=' in text,
                  'the installed desktop file has no German translation merged in')
        metainfo = os.path.join(share, 'metainfo', f'{app_id}.metainfo.xml')
        if os.path.isfile(metainfo):
            with open(metainfo, encoding='utf-8') as f:
                check('xml:lang="de"' in f.read(),
                      'the installed metainfo has no German translation merged in')
        schemas = os.path.join(share, 'glib-2.0', 'schemas')
        if os.path.isdir(schemas):
            r = subprocess.run(['glib-compile-schemas', '--strict', '--dry-run', schemas],
                               capture_output=True, text=True)
            check(r.returncode == 0, f'installed schemas do not compile: {r.stderr}')
        service = os.path.join(share, 'dbus-1', 'services', f'{app_id}.service')
        if os.path.isfile(service):
            with open(service, encoding='utf-8') as f:
                text = f.read()
            exe = os.path.join(prefix, bindir, 'code-canvas') if not os.path.isabs(bindir) \
                else os.path.join(bindir, 'code-canvas')
            check(f'Name={app_id}\n' in text and f'Exec={exe} --gapplication-service' in text,
                  f'the D-Bus service does not start {exe} as a GApplication service')

        # The installed CLI runs from the tree.
        cli = os.path.join(bin_, 'code-canvas-cli')
        if os.path.isfile(cli):
            r = subprocess.run([cli, '--help'], capture_output=True, text=True, timeout=60)
            check(r.returncode == 0 and 'code-canvas-cli' in (r.stdout + r.stderr),
                  f'installed code-canvas-cli --help failed (exit {r.returncode}): '
                  f'{(r.stdout + r.stderr).strip()[:500]}')

        # bash can load the completion.
        completion = os.path.join(share, 'bash-completion', 'completions', 'code-canvas-cli')
        if os.path.isfile(completion) and shutil.which('bash'):
            r = subprocess.run(['bash', '-c', f'source "{completion}" && complete -p code-canvas-cli'],
                               capture_output=True, text=True)
            check(r.returncode == 0 and '_code_canvas_cli' in r.stdout,
                  f'the bash completion does not load: {r.stderr}')

        if not problems:
            count = sum(len(files) for _, _, files in os.walk(destdir))
            print(f'ok: {count} files installed under {prefix}, all in place')

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
