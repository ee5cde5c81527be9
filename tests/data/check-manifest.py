#!/usr/bin/env python3
# check-manifest.py: the Flatpak manifest follows our rules
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks what flatpak-builder --show-manifest does not: the runtime, the narrow finish-args,
pinned sources, the VTE build options and the module order.

Usage: check-manifest.py MANIFEST.json [APP_ID]"""

import json
import os
import sys

FINISH_ARGS = {
    '--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri',
}
FORBIDDEN = ('--talk-name=org.freedesktop.Flatpak', '--filesystem=host', '--filesystem=home',
             '--socket=x11', '--device=all', '--socket=session-bus', '--socket=system-bus')
VTE_OPTS = {'-Dgtk3=false', '-Dgtk4=true', '-Dvapi=false', '-Dgir=false', '-Dglade=false',
            '-Dapp=false'}
CLEANUP = {'/include', '/lib/pkgconfig', '/share/pkgconfig', '/share/gir-1.0', '/share/vala',
           '/share/doc', '/man', '/share/man', '*.la', '*.a'}

problems = []


def check(cond, message):
    if not cond:
        problems.append(message)


def pinned(source):
    kind = source.get('type')
    if kind == 'git':
        return 'commit' in source and len(source['commit']) == 40
    if kind in ('archive', 'file'):
        return 'sha256' in source and len(source['sha256']) == 64
    return kind == 'dir'


def main():
    path = sys.argv[1]
    app_id = sys.argv[2] if len(sys.argv) > 2 else None
    with open(path, encoding='utf-8') as f:
        m = json.load(f)

    if app_id:
        check(m.get('id') == app_id, f'id is {m.get("id")!r}, expected {app_id!r}')
    check(m.get('runtime') == 'org.gnome.Platform', 'runtime must be org.gnome.Platform')
    check(m.get('sdk') == 'org.gnome.Sdk', 'sdk must be org.gnome.Sdk')
    check(isinstance(m.get('runtime-version'), str),
          'runtime-version must be a quoted string (a number is silently dropped)')
    check(m.get('command') == 'code-canvas', 'command must be code-canvas')

    args = m.get('finish-args', [])
    extra = sorted(set(args) - FINISH_ARGS)
    check(not extra, f'finish-args beyond the narrow set: {extra}')
    check(FINISH_ARGS <= set(args), f'finish-args missing: {sorted(FINISH_ARGS - set(args))}')
    for arg in args:
        check(not arg.startswith(FORBIDDEN), f'forbidden finish-arg {arg}')

    missing_cleanup = sorted(CLEANUP - set(m.get('cleanup', [])))
    check(not missing_cleanup, f'cleanup lacks {missing_cleanup}')

    modules = m.get('modules', [])
    names = [mod.get('name') for mod in modules]
    check(names and names[-1] == 'code-canvas', 'the last module must be code-canvas')
    check('vte' in names, 'VTE is not in the runtime and must be built as a module')
    for dep in ('fast_float', 'simdutf'):
        check(dep in names and 'vte' in names and names.index(dep) < names.index('vte'),
              f'{dep} must be built before vte (meson wraps cannot download offline)')

    for mod in modules:
        name = mod.get('name')
        check(mod.get('buildsystem') in ('meson', 'cmake-ninja', 'cmake', 'autotools', 'simple'),
              f'module {name}: unknown buildsystem {mod.get("buildsystem")!r}')
        for source in mod.get('sources', []):
            check(pinned(source), f'module {name}: source {source.get("url", source)} is not pinned '
                                  '(git needs tag + commit, archives need sha256)')
        if name == 'vte':
            missing = sorted(VTE_OPTS - set(mod.get('config-opts', [])))
            check(not missing, f'vte config-opts lack {missing}')
        if name == 'simdutf':
            check('-DCMAKE_POSITION_INDEPENDENT_CODE=TRUE' in mod.get('config-opts', []),
                  'simdutf must be built with -DCMAKE_POSITION_INDEPENDENT_CODE=TRUE')
        if name == 'code-canvas':
            srcs = mod.get('sources', [])
            check(mod.get('buildsystem') == 'meson', 'code-canvas is built with meson')
            check(len(srcs) == 1 and srcs[0].get('type') == 'dir' and srcs[0].get('path') == '..',
                  'code-canvas is built from the checkout (dir source, path "..")')
            if srcs and srcs[0].get('type') == 'dir':
                top = os.path.join(os.path.dirname(os.path.abspath(path)), srcs[0].get('path', ''))
                check(os.path.isfile(os.path.join(top, 'meson.build')),
                      f'the dir source {srcs[0].get("path")!r} is not the project (no meson.build)')

    for p in problems:
        print(f'{path}: {p}')
    if problems:
        return 1
    print(f'ok: {path}: {len(modules)} modules, {len(args)} finish-args')
    return 0


if __name__ == '__main__':
    sys.exit(main())
