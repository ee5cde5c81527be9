// sdk-bench.mjs: one benchmark run through the official E2B JS SDK
//
// Copyright 2026 The Code Canvas Authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// usage: node sdk-bench.mjs WORKLOAD [ARG…]   (E2B_API_URL, E2B_SANDBOX_URL, E2B_API_KEY set)
//   echo N            N sequential `echo` commands
//   stream BYTES      one command writing BYTES to stdout, consumed in full
//   upload-many N SZ  N files of SZ bytes in one files.write([...]) call
//   upload BYTES      one file of BYTES
//   download BYTES    read back one file of BYTES
//   create N          N sequential Sandbox.create + kill
//   create-settle-run N MS  create, wait MS, then time the first command alone; + kill
//   create-paced-run N MS  create-run with each create MS after the last kill (untimed)
//   create-run N [NET] N sequential create + first command (`true`) + kill; NET 0 creates them
//                     with allowInternetAccess: false (a private network without outbound traffic)
//   pause-resume N    N rounds of pause + connect of a sandbox running a server; samples are
//                     each pause and each resume
//   snapshot N FILES  N snapshots of a sandbox holding FILES files of 4 KiB
// Prints one JSON line: {"ms": timed part, "samples": [per-item ms], "peak_rss_kb": VmHWM, …}.
// Setup (creating the sandbox the workload runs in) is not timed; cc-bench does the same.

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { Sandbox } from 'e2b';

function peakRssKb() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : null;
}

function fail(message) {
  process.stderr.write(`sdk-bench: ${message}\n`);
  process.exit(1);
}

function pattern(bytes) {
  const buf = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = (i * 131 + 7) & 0xff;
  return buf;
}

const workloads = {
  async echo(sbx, n) {
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await sbx.commands.run(`echo ${i}`);
      samples.push(performance.now() - t);
      if (r.stdout !== `${i}\n`) fail(`echo ${i} printed ${JSON.stringify(r.stdout)}`);
    }
    return { ms: performance.now() - t0, samples };
  },

  async stream(sbx, bytes) {
    let seen = 0;
    const t0 = performance.now();
    await sbx.commands.run(`head -c ${bytes} /dev/zero`, {
      timeoutMs: 0,
      onStdout: (d) => {
        seen += d.length;
      },
    });
    const ms = performance.now() - t0;
    if (seen !== bytes) fail(`stream: got ${seen} bytes of ${bytes}`);
    return { ms, bytes };
  },

  async 'upload-many'(sbx, n, size) {
    const body = 'x'.repeat(size - 1) + '\n';
    const entries = [];
    for (let i = 0; i < n; i++) entries.push({ path: `/home/user/many/d${i % 10}/f${i}.txt`, data: body });
    const t0 = performance.now();
    const infos = await sbx.files.write(entries);
    const ms = performance.now() - t0;
    if (infos.length !== n) fail(`upload-many: ${infos.length} answers for ${n} files`);
    return { ms, bytes: n * size };
  },

  async upload(sbx, bytes) {
    const data = pattern(bytes);
    const t0 = performance.now();
    await sbx.files.write('/home/user/big.bin', data.buffer);
    const ms = performance.now() - t0;
    const info = await sbx.files.getInfo('/home/user/big.bin');
    if (info.size !== bytes) fail(`upload: file has ${info.size} bytes of ${bytes}`);
    return { ms, bytes };
  },

  async download(sbx, bytes) {
    await sbx.files.write('/home/user/big.bin', pattern(bytes).buffer);
    const t0 = performance.now();
    const data = await sbx.files.read('/home/user/big.bin', { format: 'bytes' });
    const ms = performance.now() - t0;
    if (data.length !== bytes) fail(`download: got ${data.length} bytes of ${bytes}`);
    return { ms, bytes };
  },

  async create(_sbx, n) {
    const samples = [];
    const kills = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      const s = await Sandbox.create({ metadata: { bench: 'create' } });
      samples.push(performance.now() - t);
      t = performance.now();
      if (!(await s.kill())) fail(`create: kill of ${s.sandboxId} returned false`);
      kills.push(performance.now() - t);
    }
    return { ms: performance.now() - t0, samples, kill_samples: kills };
  },

  async 'create-run'(_sbx, n, net = 1) {
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const s = await Sandbox.create({ metadata: { bench: 'create-run' }, allowInternetAccess: net !== 0 });
      const r = await s.commands.run('true');
      samples.push(performance.now() - t);
      if (r.exitCode !== 0) fail(`create-run: the first command exited with ${r.exitCode}`);
      if (!(await s.kill())) fail(`create-run: kill of ${s.sandboxId} returned false`);
    }
    return { ms: performance.now() - t0, samples };
  },

  async 'create-paced-run'(_sbx, n, gapMs) {
    if (!(gapMs > 0)) fail('create-paced-run: MS must be above 0');
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      const t = performance.now();
      const s = await Sandbox.create({ metadata: { bench: 'create-paced-run' } });
      const r = await s.commands.run('true');
      samples.push(performance.now() - t);
      if (r.exitCode !== 0) fail(`create-paced-run: the first command exited with ${r.exitCode}`);
      if (!(await s.kill())) fail(`create-paced-run: kill of ${s.sandboxId} returned false`);
    }
    return { ms: performance.now() - t0, samples };
  },

  async 'create-settle-run'(_sbx, n, settleMs) {
    if (!(settleMs > 0)) fail('create-settle-run: MS must be above 0');
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = await Sandbox.create({ metadata: { bench: 'create-settle-run' } });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const t = performance.now();
      const r = await s.commands.run('true');
      samples.push(performance.now() - t);
      if (r.exitCode !== 0) fail(`create-settle-run: the first command exited with ${r.exitCode}`);
      if (!(await s.kill())) fail(`create-settle-run: kill of ${s.sandboxId} returned false`);
    }
    return { ms: performance.now() - t0, samples };
  },

  async 'pause-resume'(sbx, n) {
    const up = new Promise((resolve) => {
      sbx.commands.run(
        `node -e "require('http').createServer((q, r) => r.end('ok')).listen(8124, () => console.log('up'))"`,
        { background: true, onStdout: (d) => d.includes('up') && resolve() },
      );
    });
    await up;
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      if (!(await sbx.pause())) fail('pause-resume: pause returned false');
      samples.push(performance.now() - t);
      t = performance.now();
      await Sandbox.connect(sbx.sandboxId);
      samples.push(performance.now() - t);
    }
    return { ms: performance.now() - t0, samples };
  },

  async snapshot(sbx, n, files) {
    await sbx.files.write(Array.from({ length: files }, (_, i) => ({
      path: `/home/user/p/d${i % 10}/f${i}.txt`, data: 'x'.repeat(4095) + '\n' })));
    const samples = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const snap = await sbx.createSnapshot();
      samples.push(performance.now() - t);
      await Sandbox.deleteSnapshot(snap.snapshotId);
    }
    return { ms: performance.now() - t0, samples };
  },
};

async function main() {
  const [name, ...rest] = process.argv.slice(2);
  const run = workloads[name];
  if (!run) fail(`unknown workload ${JSON.stringify(name)}; one of ${Object.keys(workloads).join(', ')}`);
  const args = rest.map(Number);
  const sbx = name.startsWith('create') ? null : await Sandbox.create({ metadata: { bench: name } });
  try {
    const result = await run(sbx, ...args);
    result.peak_rss_kb = peakRssKb();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    if (sbx) await sbx.kill();
  }
}

main().catch((err) => fail(`${err?.name}: ${err?.message}`));
