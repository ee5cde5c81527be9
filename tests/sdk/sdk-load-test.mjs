// sdk-load-test.mjs: bursts of commands through the official E2B JS SDK
//
// Copyright 2026 The Code Canvas Authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Many clients at once must all be served: 50 sandboxes with 20 concurrent commands each, and 200
// concurrent commands on one sandbox, with no failure at all (a listen backlog that is too small
// loses connections in such bursts). Afterwards the engine holds no more descriptors or memory
// than after a first, identical round: what a burst uses is given back. Run through
// run-sdk-test.sh, which starts a private engine; output is TAP. Nothing here measures speed.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { Sandbox } from 'e2b';

const TIMEOUT_SCALE = Math.max(1, Number(process.env.CC_TEST_TIMEOUT_SCALE) || 1);
// Bounds against hangs only.
const CASE_TIMEOUT_MS = 240000 * TIMEOUT_SCALE;
const SETTLE_MS = 20000 * TIMEOUT_SCALE;
const N_SANDBOXES = 50;
const PER_SANDBOX = 20;
const ON_ONE = 200;
// What may differ between two identical rounds: a few descriptors of connections the client
// still holds open, and allocator noise (plus, in sanitizer builds, the allocator's quarantine,
// which run-sdk-test.sh bounds and names).
const FD_SLACK = 8;
const RSS_SLACK_KIB = 16 * 1024 + (Number(process.env.CC_TEST_ALLOCATOR_SLACK_KIB) || 0);

class AssertionError extends Error {}

function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

function enginePid() {
  const file = path.join(process.env.XDG_RUNTIME_DIR, 'code-canvas', 'engine.json');
  return JSON.parse(readFileSync(file, 'utf8')).pid;
}

function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function rssKib(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert(m, 'no VmRSS in the engine status');
  return Number(m[1]);
}

// Polls (each wait is a short timer, the loop bounded by SETTLE_MS) until pred() holds; returns
// whether it did. The engine closes sockets and reaps processes asynchronously after a burst.
async function settle(pred) {
  const end = Date.now() + SETTLE_MS;
  for (;;) {
    if (pred()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Runs @n commands on @sbx at once; returns the failures as text. The SDK's own 60 s command
// deadline scales like every other bound here: this test counts lost connections, not latency.
async function burst(sbx, n, tag) {
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => sbx.commands.run(`echo ${tag}-${i}`, { timeoutMs: 60000 * TIMEOUT_SCALE })),
  );
  const failures = [];
  results.forEach((r, i) => {
    if (r.status === 'rejected') failures.push(`${tag}-${i}: ${r.reason?.name}: ${r.reason?.message}`);
    else if (r.value.exitCode !== 0 || r.value.stdout !== `${tag}-${i}\n`)
      failures.push(`${tag}-${i}: exit ${r.value.exitCode}, stdout ${JSON.stringify(r.value.stdout)}`);
  });
  return failures;
}

// 50 sandboxes, all created at once, then 20 commands on each, all at once.
async function manySandboxes(round) {
  const created = await Promise.allSettled(Array.from({ length: N_SANDBOXES }, () => Sandbox.create()));
  const sandboxes = created.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failures = created
    .filter((r) => r.status === 'rejected')
    .map((r) => `create: ${r.reason?.name}: ${r.reason?.message}`);
  try {
    const perSandbox = await Promise.all(sandboxes.map((s, i) => burst(s, PER_SANDBOX, `r${round}s${i}`)));
    failures.push(...perSandbox.flat());
  } finally {
    await Promise.allSettled(sandboxes.map((s) => s.kill()));
  }
  return failures;
}

async function oneSandbox(round) {
  const sbx = await Sandbox.create();
  try {
    return await burst(sbx, ON_ONE, `one${round}`);
  } finally {
    await sbx.kill();
  }
}

async function round(n) {
  const failures = [...(await manySandboxes(n)), ...(await oneSandbox(n))];
  assert(
    failures.length === 0,
    `${failures.length} of ${N_SANDBOXES * PER_SANDBOX + ON_ONE + N_SANDBOXES} operations failed:\n` +
      failures.slice(0, 20).join('\n'),
  );
}

const cases = [];
let pid;
let idleFds;
let firstRss;

// After a round the engine's descriptors come back to what it held before any load.
async function assertFdsBack(when) {
  const ok = await settle(() => fdCount(pid) <= idleFds + FD_SLACK);
  assert(ok, `descriptors grew: ${idleFds} before the load, ${fdCount(pid)} ${when}`);
}

cases.push({
  name: `${N_SANDBOXES} sandboxes x ${PER_SANDBOX} concurrent commands and ${ON_ONE} on one sandbox, 0 failures`,
  fn: async () => {
    await round(1);
    await assertFdsBack('after the first round');
    firstRss = rssKib(pid);
  },
});

cases.push({
  name: 'the same again, and the engine holds no more descriptors or memory than after the first',
  fn: async () => {
    assert(firstRss !== undefined, 'the first round did not complete');
    await round(2);
    await assertFdsBack('after the second round');
    const rss = rssKib(pid);
    assert(
      rss <= firstRss + RSS_SLACK_KIB,
      `memory grew: VmRSS ${firstRss} KiB after the first round, ${rss} KiB after the second`,
    );
    console.log(`# engine: ${idleFds} descriptors before, ${fdCount(pid)} after; VmRSS ${firstRss} -> ${rss} KiB`);
  },
});

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new AssertionError(`${name}: no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  for (const v of ['E2B_API_URL', 'E2B_SANDBOX_URL', 'E2B_API_KEY', 'XDG_RUNTIME_DIR']) {
    if (!process.env[v]) {
      console.log(`Bail out! ${v} is not set: run this through run-sdk-test.sh`);
      process.exit(1);
    }
  }
  pid = enginePid();
  idleFds = fdCount(pid);
  console.log(`1..${cases.length}`);
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    try {
      await withTimeout(c.fn(), CASE_TIMEOUT_MS, c.name);
      console.log(`ok ${i + 1} - ${c.name}`);
    } catch (err) {
      failed++;
      console.log(`not ok ${i + 1} - ${c.name}`);
      for (const line of String(err?.stack ?? err).split('\n')) console.log(`#   ${line}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
