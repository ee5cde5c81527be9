// cli-e2b-test.mjs: the official E2B CLI (`e2b sandbox …`) against code-canvas-engine
//
// Copyright 2026 The Code Canvas Authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Started by tests/sdk/run-sdk-test.sh, which runs a private engine and exports E2B_API_URL,
// E2B_SANDBOX_URL and E2B_API_KEY (an E2B-format key: the CLI checks it). Each case runs the CLI
// as a user would and asserts on its output and exit status. Output is TAP, one line per case.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, 'node_modules', '@e2b', 'cli', 'dist', 'index.js');
const TIMEOUT_SCALE = Math.max(1, Number(process.env.CC_TEST_TIMEOUT_SCALE) || 1);
const RUN_TIMEOUT_MS = 30000 * TIMEOUT_SCALE;

// A private HOME: the CLI keeps its config and update-check state there. No update check, no
// colours to strip.
const home = mkdtempSync(join(tmpdir(), 'cc-cli-e2b-'));
const cliEnv = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  NO_UPDATE_NOTIFIER: '1',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  DO_NOT_TRACK: '1',
};

class AssertionError extends Error {}
function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}
function show(s) {
  const t = JSON.stringify(String(s));
  return t.length > 600 ? `${t.slice(0, 600)}…` : t;
}

// Runs `node <cli> args…` with @input on stdin; resolves {code, stdout, stderr}.
function e2b(args, input = '') {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: cliEnv, cwd: home });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), RUN_TIMEOUT_MS);
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal ? `signal ${signal}` : code, stdout, stderr });
    });
    p.stdin.end(input);
  });
}

function expectExit(res, code, what) {
  assert(res.code === code,
    `${what}: exit status ${res.code}, expected ${code}; stdout ${show(res.stdout)}; stderr ${show(res.stderr)}`);
}

async function listJson(args = []) {
  const res = await e2b(['sandbox', 'list', '-f', 'json', ...args]);
  expectExit(res, 0, `sandbox list ${args.join(' ')}`);
  return JSON.parse(res.stdout);
}

const cases = [];
function test(name, fn) {
  cases.push({ name, fn });
}

let id = null;       // the sandbox the cases share, made by the first
function needId() {
  assert(id, 'no sandbox: create --detach failed');
  return id;
}

test('sandbox create --detach prints the new id', async () => {
  const res = await e2b(['sandbox', 'create', '--detach', '--timeout', '600', 'base']);
  expectExit(res, 0, 'create --detach');
  const match = res.stdout.match(/\b([a-z0-9]{20})\b/);
  assert(match, `no sandbox id in ${show(res.stdout)}`);
  id = match[1];
});

test('sandbox list: JSON, state and time filters', async () => {
  const sid = needId();
  const running = await listJson();
  const mine = running.find((s) => s.sandboxId === sid);
  assert(mine, `list does not show ${sid}: ${show(JSON.stringify(running))}`);
  assert(mine.state === 'running' && mine.templateId === 'base', `listed ${show(JSON.stringify(mine))}`);
  const paused = await listJson(['-s', 'paused']);
  assert(!paused.some((s) => s.sandboxId === sid), 'a running sandbox is listed as paused');
  const past = await listJson(['--started-after', new Date(Date.now() - 3600e3).toISOString()]);
  assert(past.some((s) => s.sandboxId === sid), '--started-after an hour ago misses the sandbox');
  const future = await listJson(['--started-after', new Date(Date.now() + 3600e3).toISOString()]);
  assert(!future.some((s) => s.sandboxId === sid), '--started-after in an hour still lists the sandbox');
});

test('sandbox exec: cwd, env, stdin and the exit code', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'exec', '-c', '/tmp', '-e', 'FOO=bar', sid, 'pwd; echo "$FOO"; cat; exit 7'],
                        'from-stdin\n');
  expectExit(res, 7, 'exec … exit 7');
  assert(res.stdout === '/tmp\nbar\nfrom-stdin\n', `stdout ${show(res.stdout)}`);
  const ok = await e2b(['sandbox', 'exec', sid, 'echo hello']);
  expectExit(ok, 0, 'exec echo');
  assert(ok.stdout === 'hello\n', `stdout ${show(ok.stdout)}`);
});

test('sandbox exec --background returns at once; the process runs on', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'exec', '--background', sid, 'sleep 300']);
  expectExit(res, 0, 'exec --background');
  // The CLI reports the pid on stderr, keeping stdout for the command's own output.
  const match = `${res.stdout}\n${res.stderr}`.match(/\b(\d+)\b/);
  assert(match, `no pid in ${show(res.stdout)} or ${show(res.stderr)}`);
  // The pid is the engine's (the API's) pid; inside the sandbox's PID namespace the process has
  // another, so look for it by its command line.
  const check = await e2b(['sandbox', 'exec', sid, 'ps -eo args']);
  expectExit(check, 0, 'ps -eo args');
  assert(check.stdout.split('\n').some((l) => l.trim() === 'sleep 300'), `no "sleep 300" in ${show(check.stdout)}`);
});

test('sandbox info', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'info', sid]);
  expectExit(res, 0, 'info');
  assert(res.stdout.includes(`Sandbox ID: ${sid}`), `stdout ${show(res.stdout)}`);
  assert(/State: running/.test(res.stdout), `stdout ${show(res.stdout)}`);
  assert(/Template ID: base/.test(res.stdout), `stdout ${show(res.stdout)}`);
});

test('sandbox metrics', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'metrics', sid]);
  expectExit(res, 0, 'metrics');
  assert(res.stdout.includes(`Metrics for sandbox ${sid}`), `stdout ${show(res.stdout)}`);
  assert(/CPU: .*Cores \| Memory: .*MiB \| Disk: .*MiB/.test(res.stdout), `no sample in ${show(res.stdout)}`);
});

test('sandbox logs shows lifecycle and process events', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'logs', sid]);
  expectExit(res, 0, 'logs');
  assert(res.stdout.includes(`Logs for sandbox ${sid}`), `stdout ${show(res.stdout)}`);
  for (const message of ['Sandbox created', 'Process started', 'Process exited'])
    assert(res.stdout.includes(message), `logs lack ${show(message)}: ${show(res.stdout)}`);
  const json = await e2b(['sandbox', 'logs', '--format', 'json', sid]);
  expectExit(json, 0, 'logs --format json');
  const lines = json.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert(lines.some((l) => l.message === 'Process exited' && l.status === 'exit status 7'),
         `no "Process exited" with exit status 7 in ${show(json.stdout)}`);
});

test('sandbox pause, then resume', async () => {
  const sid = needId();
  const paused = await e2b(['sandbox', 'pause', sid]);
  expectExit(paused, 0, 'pause');
  assert((await listJson(['-s', 'paused'])).some((s) => s.sandboxId === sid), 'not listed as paused after pause');
  const resumed = await e2b(['sandbox', 'resume', sid]);
  expectExit(resumed, 0, 'resume');
  const info = await e2b(['sandbox', 'info', sid]);
  assert(/State: running/.test(info.stdout), `after resume: ${show(info.stdout)}`);
  const exec = await e2b(['sandbox', 'exec', sid, 'echo back']);
  expectExit(exec, 0, 'exec after resume');
  assert(exec.stdout === 'back\n', `stdout ${show(exec.stdout)}`);
});

// The terminal: python's pty module gives the CLI a real terminal; the driver types a command
// once the shell answers, then exits the shell, and prints everything the terminal showed.
const PTY_DRIVER = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
deadline = time.monotonic() + float(os.environ['CC_PTY_LIMIT'])
sent = 0
steps = [b'echo pty-$((6*7))\\r', b'exit\\r']
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    if sent == 0 and b'$' in out or sent == 0 and b'#' in out:
        os.write(fd, steps[0]); sent = 1
    elif sent == 1 and b'pty-42' in out:
        os.write(fd, steps[1]); sent = 2
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode('utf-8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
`;

test('sandbox connect: a terminal driven through a PTY', async () => {
  const sid = needId();
  const res = await new Promise((resolve, reject) => {
    const p = spawn('python3', ['-c', PTY_DRIVER, process.execPath, CLI, 'sandbox', 'connect', sid],
                    { env: { ...cliEnv, TERM: 'xterm', CC_PTY_LIMIT: String(20 * TIMEOUT_SCALE) }, cwd: home });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert(res.stdout.includes('pty-42'), `the terminal never printed pty-42: ${show(res.stdout)} ${show(res.stderr)}`);
  expectExit(res, 0, 'connect, then exit');
});

test('sandbox kill', async () => {
  const sid = needId();
  const res = await e2b(['sandbox', 'kill', sid]);
  expectExit(res, 0, 'kill');
  assert(!(await listJson(['-s', 'running,paused'])).some((s) => s.sandboxId === sid), 'still listed after kill');
  const info = await e2b(['sandbox', 'info', sid]);
  assert(info.code !== 0, `info of a killed sandbox exited ${info.code}`);
});

async function main() {
  if (!existsSync(CLI)) {
    console.log(`Bail out! the E2B CLI is not installed: run 'npm ci' in ${here} (build-aux/dev.sh test does)`);
    process.exit(1);
  }
  console.log(`1..${cases.length}`);
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    try {
      await c.fn();
      console.log(`ok ${i + 1} - ${c.name}`);
    } catch (err) {
      failed++;
      console.log(`not ok ${i + 1} - ${c.name}`);
      for (const line of String(err instanceof AssertionError ? err.message : err?.stack ?? err).split('\n'))
        console.log(`#   ${line}`);
    }
  }
  rmSync(home, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

main();
