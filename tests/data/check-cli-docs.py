#!/usr/bin/env python3
# check-cli-docs.py: the man page and the bash completion match code-canvas-cli
#
# Copyright 2026 The Code Canvas Authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Usage: check-cli-docs.py MAN_PAGE COMPLETION [CLI]

1. The man page renders without groff warnings (when man is installed).
2. bash loads the completion, and it completes commands, verbs, options and option values.
3. Every command and every --option that the CLI's own --help output names (top level and each
   command's --help) appears in the man page and in the completion. CLI defaults to
   $CODE_CANVAS_CLI."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def complete(completion, words, env=None):
    """What bash completion offers for the command line WORDS (the last word is being typed)."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _code_canvas_cli; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(['bash', '-c', script, 'bash', completion, *words],
                       capture_output=True, text=True, env=env or os.environ)
    check(r.returncode == 0, f'completing {words!r} failed: {r.stderr.strip()}')
    return [w for w in r.stdout.split('\n') if w]


def man_text(page):
    text = open(page, encoding='utf-8').read()
    text = re.sub(r'\\f[BIRP]|\\f\(..', '', text)
    return text.replace('\\-', '-').replace('\\(em', '—')


def main():
    page, completion = sys.argv[1], sys.argv[2]
    cli = sys.argv[3] if len(sys.argv) > 3 else os.environ.get('CODE_CANVAS_CLI')

    if shutil.which('man'):
        r = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', page],
                           capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH='80', MAN_KEEP_FORMATTING='0'))
        check(r.returncode == 0 and not r.stderr.strip(),
              f'the man page does not render cleanly: {r.stderr.strip()}')

    if shutil.which('bash'):
        got = complete(completion, ['code-canvas-cli', ''])
        for cmd in ('project', 'exec', 'write', 'read', 'ls', 'setup', 'dev', 'history', 'cache',
                    'sandbox', 'key', 'engine'):
            check(cmd in got, f'completion of commands lacks {cmd}: {got}')
        check(complete(completion, ['code-canvas-cli', 'pro']) == ['project'],
              'completion of "pro" is not "project"')
        check(sorted(complete(completion, ['code-canvas-cli', 'project', ''])) ==
              ['create', 'delete', 'info', 'list', 'update'], 'completion of project verbs')
        check(complete(completion, ['code-canvas-cli', '--json', 'engine', 's']) == ['status'],
              'completion after a global option')
        check('--no-cache' in complete(completion, ['code-canvas-cli', 'exec', 'demo', '--']),
              'completion of exec options lacks --no-cache')
        check(sorted(complete(completion, ['code-canvas-cli', 'project', 'create', 'x',
                                           '--template=']))
              == ['blank', 'node', 'python', 'vite'], 'completion of --template= values')

    if cli:
        man = man_text(page)
        comp = open(completion, encoding='utf-8').read()
        r = subprocess.run([cli, '--help'], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, f'{cli} --help exited with {r.returncode}')
        top = r.stdout
        commands = parse_commands(top)
        check(commands, f'no commands found in the output of code-canvas-cli --help:\n{top}')
        options = set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', top))
        for cmd in sorted(commands):
            check(re.search(rf'(?m)^\.(?:B|BI|BR|SS|TP)\s+"?{re.escape(cmd)}\b', man),
                  f'the man page does not document the command "{cmd}"')
            check(re.search(rf'\b{re.escape(cmd)}\b', comp),
                  f'the completion does not offer the command "{cmd}"')
            r = subprocess.run([cli, cmd, '--help'], capture_output=True, text=True, timeout=60)
            check(r.returncode == 0, f'code-canvas-cli {cmd} --help exited with {r.returncode}')
            options |= set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', r.stdout))
            for verb in parse_verbs(cmd, r.stdout):
                check(re.search(rf'\b{re.escape(cmd)}\b.*\b{re.escape(verb)}\b', man),
                      f'the man page does not document "{cmd} {verb}"')
                check(re.search(rf'\b{re.escape(verb)}\b', comp),
                      f'the completion does not offer "{cmd} {verb}"')
                r = subprocess.run([cli, cmd, verb, '--help'], capture_output=True, text=True,
                                   timeout=60)
                options |= set(re.findall(r'(?<![\w-])--[a-z][a-z0-9-]*', r.stdout))
        print(f'{len(commands)} commands and {len(options)} options in --help: '
              f'{" ".join(sorted(commands))}; {" ".join(sorted(options))}')
        for opt in sorted(options):
            check(opt in man, f'the man page does not document {opt}')
            check(opt in comp, f'the completion does not offer {opt}')

    if cli and shutil.which('bash'):
        check_project_names(completion, cli)

    for p in problems:
        print(p)
    if not problems:
        print('ok: man page and completion match code-canvas-cli' if cli
              else 'ok: man page and completion (no CLI given)')
    return 1 if problems else 0


def check_project_names(completion, cli):
    """Project names come from the CLI itself, in a profile of our own (other tests must not
    see this project)."""
    with tempfile.TemporaryDirectory(prefix='cc-cli-docs-') as home:
        runtime = os.path.join(home, 'run')
        os.mkdir(runtime, 0o700)
        env = dict(os.environ, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home,
                   XDG_RUNTIME_DIR=runtime,
                   PATH=os.path.dirname(os.path.abspath(cli)) + os.pathsep + os.environ.get('PATH', ''))
        r = subprocess.run([cli, 'project', 'create', 'completion demo'], capture_output=True,
                           text=True, env=env, timeout=60)
        if not check(r.returncode == 0, f'code-canvas-cli project create failed: {r.stderr}'):
            return
        got = complete(completion, ['code-canvas-cli', 'exec', 'compl'], env)
        check(got == ['completion demo'], f'completion of project names gave {got}')
        got = complete(completion, ['code-canvas-cli', 'project', 'info', ''], env)
        check(got == ['completion demo'], f'completion of project names gave {got}')


def parse_commands(help_text):
    """Commands as the top-level --help lists them: the indented first words of the lines of its
    "Commands:" section."""
    commands, inside = set(), False
    for line in help_text.splitlines():
        if re.match(r'^Commands:', line):
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            m = re.match(r'^\s+([a-z][a-z-]*)\b', line)
            if m:
                commands.add(m.group(1))
    return commands


def parse_verbs(cmd, help_text):
    """Verbs of a command, from its usage line: "… project create|list|info …"."""
    m = re.search(rf'\b{re.escape(cmd)} ([a-z]+(?:\|[a-z]+)+)', help_text)
    return m.group(1).split('|') if m else []


if __name__ == '__main__':
    sys.exit(main())
