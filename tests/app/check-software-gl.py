#!/usr/bin/env python3
# check-software-gl.py: without a GPU, the app does not set up Mesa's software GL
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-software-gl.py FIRST_FRAME PROGRAM

GTK 4.8 sets up GL when it opens the display, even to draw with cairo; with no GPU render node
that GL is Mesa's software rasteriser (about 50 MiB). Starts PROGRAM on a fresh profile under the
suite's display with FIRST_FRAME (bench/cc-first-frame: it waits for the window's first frame,
then reads what the process has mapped) and fails if Mesa's GL drivers are mapped. A second
start that asks for the GL renderer must map them: the check sees them when they are there. Nor
may GTK try its GL renderer first and print that it failed.
Skipped (77) on a machine with a render node, where GL is the GPU's."""

import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time


def render_node():
    for path in glob.glob('/dev/dri/renderD*'):
        try:
            os.close(os.open(path, os.O_RDWR))
            return path
        except OSError:
            pass
    return None


def stop_engine(runtime_dir):
    """The app starts its own engine; it must not outlive the check."""
    info = os.path.join(runtime_dir, 'code-canvas', 'engine.json')
    try:
        with open(info) as f:
            pid = json.load(f)['pid']
    except (OSError, ValueError, KeyError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


def start(first_frame, program, extra_env):
    with tempfile.TemporaryDirectory(prefix='cc-gl-') as tmp:
        env = dict(os.environ)
        env.pop('GDK_DEBUG', None)
        env.pop('GSK_RENDERER', None)
        for name in ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR'):
            env[name] = os.path.join(tmp, name.lower())
            os.makedirs(env[name], mode=0o700)
        env.update(extra_env)
        try:
            r = subprocess.run([first_frame, '--idle-ms', '1000', '--', program], env=env,
                               capture_output=True, text=True, timeout=120)
        finally:
            stop_engine(env['XDG_RUNTIME_DIR'])
    if r.returncode != 0:
        print(f'{first_frame} failed ({r.returncode}): {r.stderr}')
        return None
    result = json.loads(r.stdout.strip().splitlines()[-1])
    result['stderr'] = r.stderr
    return result


def main():
    first_frame, program = sys.argv[1], sys.argv[2]
    node = render_node()
    if node is not None:
        print(f'{node} is usable: GL runs on the GPU here')
        return 77
    plain = start(first_frame, program, {})
    if plain is None:
        return 1
    if plain['mesa_gl']:
        print(f'the app mapped Mesa\'s GL drivers with no GPU: {plain}')
        return 1
    # Nor does GTK try its GL renderer and say that it failed.
    if 'GLRenderer' in plain['stderr']:
        print(f'GTK tried a GL renderer with GL turned off: {plain["stderr"]}')
        return 1
    asked = start(first_frame, program, {'GSK_RENDERER': 'gl'})
    if asked is None:
        return 1
    if not asked['mesa_gl']:
        print(f'with GSK_RENDERER=gl the check saw no Mesa GL driver: {asked}')
        return 1
    print(f'no GPU: idle RSS {plain["idle_rss_kb"] // 1024} MiB without GL, '
          f'{asked["idle_rss_kb"] // 1024} MiB with the GL renderer asked for')
    return 0


if __name__ == '__main__':
    sys.exit(main())
