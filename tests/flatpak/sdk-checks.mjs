// sdk-checks.mjs: signals and PTYs of a sandbox of the engine running inside the Flatpak
//
// Copyright 2026 The Code Canvas Authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Run on the host by tests/flatpak/run.sh with E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY from
// "code-canvas-cli engine env" inside the Flatpak (loopback is shared), because the CLI has no
// PTY and sends no SIGTERM. Prints one "PASS name" or "FAIL name: why" line per check.
//
// usage: node sdk-checks.mjs SDK_DIR   (SDK_DIR holds node_modules/e2b)

import { createRequire } from 'node:module';

const require = createRequire(`${process.argv[2]}/package.json`);
const { Sandbox } = require('e2b');

const WAIT_MS = Number(process.env.CC_FLATPAK_WAIT_MS || 15000);
const SIGNAL_SIGTERM = 15; // envd's process.Signal enum

function collector() {
  let text = '';
  const waits = [];
  return {
    get text() { return text; },
    push(chunk) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (let i = waits.length - 1; i >= 0; i--) {
        if (text.includes(waits[i].needle)) waits.splice(i, 1)[0].resolve();
      }
    },
    // Resolves with true when the needle shows up, false after ms: every wait is bounded.
    until(needle, ms = WAIT_MS) {
      if (text.includes(needle)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        waits.push({ needle, resolve: () => { clearTimeout(timer); resolve(true); } });
      });
    },
  };
}

function tail(s) {
  return JSON.stringify(s.slice(-300));
}

const checks = [];
function check(name, fn) { checks.push({ name, fn }); }
const enc = new TextEncoder();

check('a SIGTERM trap runs', async (sbx) => {
  const out = collector();
  const h = await sbx.commands.run(
    "trap 'echo trapped-term; exit 0' TERM; echo ready; while :; do sleep 0.2; done",
    { background: true, onStdout: (d) => out.push(d), onStderr: (d) => out.push(d), timeoutMs: 0 });
  if (!(await out.until('ready'))) return `the command did not start: ${tail(out.text)}`;
  // The SDK's kill() is SIGKILL; SIGTERM goes through the same RPC the SDK uses.
  await sbx.commands.rpc.sendSignal({ process: { selector: { case: 'pid', value: h.pid } }, signal: SIGNAL_SIGTERM });
  const ok = await out.until('trapped-term');
  await sbx.commands.kill(h.pid).catch(() => {});
  return ok ? null : `no "trapped-term" after SIGTERM: ${tail(out.text)}`;
});

let pty = null;
async function openPty(sbx) {
  if (pty) return pty;
  const out = collector();
  const h = await sbx.pty.create({ cols: 80, rows: 24, timeoutMs: 0, onData: (d) => out.push(d) });
  pty = { h, out };
  return pty;
}

check('tty is a tty in the PTY shell', async (sbx) => {
  const { h, out } = await openPty(sbx);
  // The terminal echoes the input: wait for what only the shell's output can contain.
  await sbx.pty.sendInput(h.pid, enc.encode('tty; echo tty-rc=$? tty-$((6*7))\n'));
  if (!(await out.until('tty-42'))) return `no answer from the shell: ${tail(out.text)}`;
  return /\/dev\/pts\/\d+\r?\ntty-rc=0/.test(out.text) ? null : `tty said: ${tail(out.text)}`;
});

check('Ctrl+C stops the foreground job', async (sbx) => {
  const { h, out } = await openPty(sbx);
  await sbx.pty.sendInput(h.pid, enc.encode('sleep 60; echo slept-$((1+1))\n'));
  await new Promise((r) => setTimeout(r, 1500));
  await sbx.pty.sendInput(h.pid, enc.encode('\x03'));
  await sbx.pty.sendInput(h.pid, enc.encode('echo after-$((40+2))\n'));
  // Without a controlling terminal the 60 s sleep runs to its end and this wait gives up first.
  const ok = await out.until('after-42', 10000);
  return ok && !out.text.includes('slept-2') ? null : `the sleep was not interrupted: ${tail(out.text)}`;
});

// Run last, in a sandbox of its own: the engine is on the app's loopback, which a sandbox with
// internet access shares, and one without must not reach.
async function ownLoopbackCheck() {
  const port = new URL(process.env.E2B_API_URL).port;
  const probe = `(echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo reached-$((6*7)) || echo refused-$((6*7))`;
  let offline = null;
  try {
    offline = await Sandbox.create({ allowInternetAccess: false, metadata: { suite: 'flatpak' } });
    const r = await offline.commands.run(probe, { timeoutMs: WAIT_MS });
    return r.stdout.includes('refused-42') ? null : `it reached the engine's port ${port}: ${tail(r.stdout + r.stderr)}`;
  } catch (err) {
    return `${err?.name}: ${err?.message}`;
  } finally {
    if (offline) await offline.kill().catch(() => {});
  }
}

let sbx = null;
const timer = setTimeout(() => { console.log('FAIL sdk-checks: gave up after 180 s'); process.exit(1); }, 180000);
try {
  sbx = await Sandbox.create({ metadata: { suite: 'flatpak' } });
} catch (err) {
  for (const c of checks) console.log(`FAIL ${c.name}: no sandbox: ${err?.message}`);
  process.exit(1);
}
for (const c of checks) {
  let why;
  try {
    why = await c.fn(sbx);
  } catch (err) {
    why = `${err?.name}: ${err?.message}`;
  }
  console.log(why ? `FAIL ${c.name}: ${why}` : `PASS ${c.name}`);
}
if (pty) await sbx.pty.kill(pty.h.pid).catch(() => {});
await sbx.kill().catch(() => {});
{
  const name = 'a sandbox without internet access has a loopback of its own';
  const why = await ownLoopbackCheck();
  console.log(why ? `FAIL ${name}: ${why}` : `PASS ${name}`);
}
clearTimeout(timer);
process.exit(0);
