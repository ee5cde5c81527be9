// sdk-test.mjs: the official E2B JS SDK against code-canvas-engine
//
// Copyright 2026 The Code Canvas Authors
// SPDX-License-Identifier: GPL-3.0-or-later
//
// The engine's contract is that the unmodified SDK works against it with E2B_API_URL,
// E2B_SANDBOX_URL and E2B_API_KEY set. This script starts nothing: run-sdk-test.sh starts a
// private engine, exports those variables and runs it. Output is TAP, one line per case, so a
// failing case shows what the engine answered and the other cases still run.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';

// Which pinned SDK to drive (package.json aliases): "e2b" is the newest, "e2b-old" the oldest 2.x
// the engine supports. The SDK's own API key check stays on.
const SDK_PACKAGE = process.env.CC_SDK_PACKAGE || 'e2b';
const {
  AuthenticationError,
  CommandExitError,
  FileNotFoundError,
  FileType,
  FilesystemEventType,
  Sandbox,
  SandboxNotFoundError,
  TimeoutError,
} = await import(SDK_PACKAGE);

// Generous bounds so a hung engine fails one case instead of the whole run; never a speed check.
// Bounds against hangs only, scaled like every other wait in the suite for slow builds.
const TIMEOUT_SCALE = Math.max(1, Number(process.env.CC_TEST_TIMEOUT_SCALE) || 1);
const CASE_TIMEOUT_MS = Number(process.env.CC_SDK_CASE_TIMEOUT_MS || 30000 * TIMEOUT_SCALE);
const WAIT_TIMEOUT_MS = Math.floor(CASE_TIMEOUT_MS * 0.8);
const HOME = '/home/user';

const cases = [];
function test(name, fn) {
  cases.push({ name, fn });
}

class AssertionError extends Error {}

function assert(cond, message) {
  if (!cond) throw new AssertionError(message);
}

function show(v) {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function assertEq(actual, expected, what) {
  if (actual !== expected) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

async function assertRejects(promise, klass, what) {
  try {
    const value = await promise;
    throw new AssertionError(`${what}: expected ${klass.name}, but it resolved to ${show(value)}`);
  } catch (err) {
    if (err instanceof AssertionError) throw err;
    if (!(err instanceof klass)) {
      throw new AssertionError(`${what}: expected ${klass.name}, got ${err?.name}: ${err?.message}`);
    }
    return err;
  }
}

// A promise settled by an event callback, bounded so a missing event fails instead of hanging.
function eventually(what) {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(
    () => reject(new AssertionError(`${what}: did not happen within ${WAIT_TIMEOUT_MS} ms`)),
    WAIT_TIMEOUT_MS,
  );
  promise.finally(() => clearTimeout(timer)).catch(() => {});
  return { promise, resolve, reject };
}

// Collects text from a stream callback and resolves once it contains a needle.
function textWaiter() {
  let text = '';
  let pending = [];
  return {
    get text() {
      return text;
    },
    push(chunk) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      pending = pending.filter((w) => {
        if (!w.match(text)) return true;
        w.ev.resolve(text);
        return false;
      });
    },
    until(needle, what) {
      const match = typeof needle === 'string' ? (t) => t.includes(needle) : (t) => needle.test(t);
      const ev = eventually(`${what} (output so far: ${show(text.slice(-200))})`);
      if (match(text)) ev.resolve(text);
      else pending.push({ match, ev });
      return ev.promise;
    },
  };
}

function uniq(prefix) {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

// Sandboxes created here, killed at the end whatever happened.
const created = new Set();

async function createSandbox(opts = {}) {
  const sbx = await Sandbox.create(opts);
  created.add(sbx);
  return sbx;
}

// One sandbox shared by the cases that only need "a running sandbox".
let sharedPromise = null;
const sharedMeta = { suite: uniq('sdk'), role: 'shared' };
function shared() {
  if (!sharedPromise) {
    sharedPromise = createSandbox({ metadata: sharedMeta, envs: { CC_SDK_FOO: 'bar' } });
    sharedPromise.catch(() => {
      sharedPromise = null;
    });
  }
  return sharedPromise;
}

// ---------------------------------------------------------------------------------------------
// Control plane

test('Sandbox.create answers with an id, a domain and a usable sandbox', async () => {
  const sbx = await shared();
  assert(/^[a-z0-9]{20}$/.test(sbx.sandboxId), `sandboxId ${show(sbx.sandboxId)} is not 20 chars of [a-z0-9]`);
  assert(typeof sbx.sandboxDomain === 'string' && sbx.sandboxDomain.length > 0, 'sandboxDomain is empty');
  assertEq(await sbx.isRunning(), true, 'isRunning() (GET /health)');
  const info = await sbx.getInfo();
  assertEq(info.sandboxId, sbx.sandboxId, 'getInfo().sandboxId');
  assertEq(info.state, 'running', 'getInfo().state');
  assertEq(info.metadata?.suite, sharedMeta.suite, 'getInfo().metadata.suite');
  assert(info.endAt > info.startedAt, `endAt ${show(info.endAt)} is not after startedAt ${show(info.startedAt)}`);
});

test('Sandbox.create envs reach every command', async () => {
  const sbx = await shared();
  const r = await sbx.commands.run('printf %s "$CC_SDK_FOO"');
  assertEq(r.stdout, 'bar', 'stdout of printf $CC_SDK_FOO');
});

test('a wrong API key is refused with AuthenticationError', async () => {
  await assertRejects(Sandbox.create({ apiKey: `e2b_${'0'.repeat(40)}` }), AuthenticationError, 'create with a wrong key');
});

// ---------------------------------------------------------------------------------------------
// Commands

test('commands.run returns stdout, stderr and exit code 0', async () => {
  const sbx = await shared();
  const r = await sbx.commands.run('echo hi; echo there >&2');
  assertEq(r.exitCode, 0, 'exitCode');
  assertEq(r.stdout, 'hi\n', 'stdout');
  assertEq(r.stderr, 'there\n', 'stderr');
});

test('commands.run honours cwd and envs, runs as user in /home/user', async () => {
  const sbx = await shared();
  const r = await sbx.commands.run('pwd; printf "%s\\n" "$A"; whoami; printf "%s\\n" "$HOME"', {
    cwd: '/tmp',
    envs: { A: 'b c' },
  });
  assertEq(r.stdout, `/tmp\nb c\nuser\n${HOME}\n`, 'stdout of pwd/$A/whoami/$HOME');
  const home = await sbx.commands.run('pwd');
  assertEq(home.stdout, `${HOME}\n`, 'default cwd');
});

test('commands.run streams a large output intact (4 MiB)', async () => {
  const sbx = await shared();
  let chunks = 0;
  const r = await sbx.commands.run('head -c 4194304 /dev/zero | tr "\\0" x', {
    onStdout: () => {
      chunks++;
    },
  });
  assertEq(r.stdout.length, 4194304, 'stdout length');
  assert(/^x+$/.test(r.stdout), 'stdout is not all "x"');
  assert(chunks > 1, `output arrived in ${chunks} chunk(s), expected it streamed in several`);
});

test('a non-zero exit throws CommandExitError with exitCode and stderr', async () => {
  const sbx = await shared();
  const err = await assertRejects(sbx.commands.run('echo out; echo oops >&2; exit 3'), CommandExitError, 'run exit 3');
  assertEq(err.exitCode, 3, 'exitCode');
  assertEq(err.stderr, 'oops\n', 'stderr');
  assertEq(err.stdout, 'out\n', 'stdout');
  assert(/exit status 3/.test(err.error ?? err.message), `error ${show(err.error)} does not say "exit status 3"`);
});

test('timeoutMs ends a command with TimeoutError and kills it', async () => {
  const sbx = await shared();
  const marker = uniq('deadline');
  await assertRejects(
    sbx.commands.run(`exec -a ${marker} sleep 600`, { timeoutMs: 1000 }),
    TimeoutError,
    'run sleep 600 with timeoutMs 1000',
  );
  // The kill may still be in flight when the stream ends: follow any process still listed to
  // its end (a process that was not killed never ends, and the case times out).
  const mine = async () => (await sbx.commands.list()).filter((p) => p.args.some((a) => a.includes(marker)));
  for (const p of await mine()) {
    try {
      const h = await sbx.commands.connect(p.pid, { timeoutMs: 0 });
      await h.wait().catch(() => {});
    } catch {
      // gone between list and connect
    }
  }
  assertEq((await mine()).length, 0, 'processes left running after the deadline');
});

test('background command: list, sendStdin, kill', async () => {
  const sbx = await shared();
  const out = textWaiter();
  const h = await sbx.commands.run('cat', { background: true, stdin: true, timeoutMs: 0, onStdout: (d) => out.push(d) });
  assert(Number.isInteger(h.pid) && h.pid > 0, `pid ${show(h.pid)}`);
  const listed = await sbx.commands.list();
  const mine = listed.find((p) => p.pid === h.pid);
  assert(mine, `commands.list() does not contain pid ${h.pid}: ${show(listed)}`);
  assertEq(mine.cmd, '/bin/bash', 'listed cmd');
  assertEq(show(mine.args), show(['-l', '-c', 'cat']), 'listed args');
  await h.sendStdin('ping\n');
  await out.until('ping\n', 'echo of stdin through cat');
  assertEq(await h.kill(), true, 'kill()');
  const err = await assertRejects(h.wait(), CommandExitError, 'wait() after kill');
  assert(/killed/.test(err.error ?? ''), `end error ${show(err.error)} does not say killed`);
  const after = await sbx.commands.list();
  assert(!after.some((p) => p.pid === h.pid), `pid ${h.pid} still listed after kill`);
  assertEq(await sbx.commands.kill(h.pid), false, 'kill() of a gone pid');
});

test('commands.connect attaches to a running command; closeStdin ends it', async () => {
  const sbx = await shared();
  const first = await sbx.commands.run('cat; echo done', { background: true, stdin: true, timeoutMs: 0 });
  await first.disconnect();
  const out = textWaiter();
  const h = await sbx.commands.connect(first.pid, { timeoutMs: 0, onStdout: (d) => out.push(d) });
  assertEq(h.pid, first.pid, 'pid of the connected handle');
  await sbx.commands.sendStdin(first.pid, 'again\n');
  await out.until('again\n', 'stdin echoed to the reconnected stream');
  await sbx.commands.closeStdin(first.pid);
  const r = await h.wait();
  assertEq(r.exitCode, 0, 'exitCode after closeStdin');
  assertEq(r.stdout, 'again\ndone\n', 'stdout seen by the reconnected handle');
});

test('commands.connect to an unknown pid fails', async () => {
  const sbx = await shared();
  let failed = false;
  try {
    const h = await sbx.commands.connect(999999, { timeoutMs: 5000 });
    await h.wait();
  } catch (err) {
    failed = true;
  }
  assert(failed, 'connect(999999) did not fail');
});

test('PTY: create, sendInput, resize, kill', async () => {
  const sbx = await shared();
  const out = textWaiter();
  const h = await sbx.pty.create({ cols: 80, rows: 24, timeoutMs: 0, onData: (d) => out.push(d) });
  assert(Number.isInteger(h.pid) && h.pid > 0, `pid ${show(h.pid)}`);
  const enc = new TextEncoder();
  await sbx.pty.sendInput(h.pid, enc.encode('test -t 0 -a -t 1 && echo "tty:$TERM"; stty size; echo pty-$((6*7))\n'));
  await out.until('pty-42', 'pty echo');
  assert(out.text.includes('tty:xterm-256color'), `stdin/stdout are not a terminal with TERM=xterm-256color: ${show(out.text.slice(-300))}`);
  assert(out.text.includes('24 80'), `stty size did not report "24 80": ${show(out.text.slice(-300))}`);
  await sbx.pty.resize(h.pid, { cols: 100, rows: 30 });
  await sbx.pty.sendInput(h.pid, enc.encode('stty size\n'));
  await out.until('30 100', 'stty size after resize');
  assertEq(await sbx.pty.kill(h.pid), true, 'pty.kill()');
  await assertRejects(h.wait(), CommandExitError, 'wait() after pty kill');
});

// ---------------------------------------------------------------------------------------------
// Files

test('files.write one file, read it as text', async () => {
  const sbx = await shared();
  const info = await sbx.files.write(`${HOME}/one.txt`, 'hello, sandbox\n');
  assertEq(info.path, `${HOME}/one.txt`, 'write().path');
  assertEq(info.name, 'one.txt', 'write().name');
  assertEq(await sbx.files.read(`${HOME}/one.txt`), 'hello, sandbox\n', 'read() text');
  const viaShell = await sbx.commands.run('cat one.txt');
  assertEq(viaShell.stdout, 'hello, sandbox\n', 'the file as a process sees it');
});

test('files.write many files in one call (array), relative and nested paths', async () => {
  const sbx = await shared();
  const entries = [];
  for (let i = 0; i < 20; i++) entries.push({ path: `${HOME}/many/d${i % 3}/f${i}.txt`, data: `file ${i}\n` });
  entries.push({ path: 'many/rel.txt', data: 'relative\n' });
  const infos = await sbx.files.write(entries);
  assertEq(infos.length, entries.length, 'number of WriteInfo');
  for (let i = 0; i < 20; i++) assertEq(await sbx.files.read(`${HOME}/many/d${i % 3}/f${i}.txt`), `file ${i}\n`, `content of f${i}`);
  assertEq(await sbx.files.read(`${HOME}/many/rel.txt`), 'relative\n', 'relative path lands under /home/user');
});

test('files.write and read every byte value (binary-safe)', async () => {
  const sbx = await shared();
  const bytes = new Uint8Array(512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
  await sbx.files.write(`${HOME}/bytes.bin`, bytes.buffer);
  const back = await sbx.files.read(`${HOME}/bytes.bin`, { format: 'bytes' });
  assertEq(back.length, bytes.length, 'length read back');
  for (let i = 0; i < bytes.length; i++) if (back[i] !== bytes[i]) throw new AssertionError(`byte ${i}: expected ${bytes[i]}, got ${back[i]}`);
  const sum = await sbx.commands.run('od -An -tu1 -v bytes.bin | wc -w');
  assertEq(sum.stdout.trim(), '512', 'size as a process sees it');
});

test('files.write with a stream (octet-stream upload) and gzip', async () => {
  const sbx = await shared();
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('streamed '));
      c.enqueue(new TextEncoder().encode('body\n'));
      c.close();
    },
  });
  await sbx.files.write(`${HOME}/stream.txt`, stream);
  assertEq(await sbx.files.read(`${HOME}/stream.txt`), 'streamed body\n', 'stream upload content');
  await sbx.files.write(`${HOME}/gz.txt`, 'zipped text\n', { gzip: true });
  assertEq(await sbx.files.read(`${HOME}/gz.txt`), 'zipped text\n', 'gzip upload content');
});

test('files: an 8 MiB file round-trips byte for byte', async () => {
  const sbx = await shared();
  const size = 8 * 1024 * 1024;
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
  await sbx.files.write(`${HOME}/big.bin`, data.buffer);
  const sum = await sbx.commands.run('sha256sum big.bin');
  const expected = createHash('sha256').update(data).digest('hex');
  assertEq(sum.stdout.split(' ')[0], expected, 'sha256 of the uploaded file in the sandbox');
  const back = await sbx.files.read(`${HOME}/big.bin`, { format: 'bytes' });
  assertEq(createHash('sha256').update(back).digest('hex'), expected, 'sha256 of the downloaded file');
});

test('user root: commands and files', async () => {
  const sbx = await shared();
  const r = await sbx.commands.run('whoami; printf "%s\\n" "$HOME"; pwd', { user: 'root' });
  assertEq(r.stdout, 'root\n/root\n/root\n', 'whoami/$HOME/pwd as root');
  await sbx.files.write('/root/as-root.txt', 'rooted', { user: 'root' });
  assertEq(await sbx.files.read('/root/as-root.txt', { user: 'root' }), 'rooted', 'file written as root');
});

test('files.read of a missing file throws FileNotFoundError', async () => {
  const sbx = await shared();
  await assertRejects(sbx.files.read(`${HOME}/does-not-exist.txt`), FileNotFoundError, 'read missing');
});

test('files.list', async () => {
  const sbx = await shared();
  await sbx.files.write([
    { path: `${HOME}/ls/a.txt`, data: 'aaa' },
    { path: `${HOME}/ls/sub/b.txt`, data: 'b' },
  ]);
  const entries = await sbx.files.list(`${HOME}/ls`);
  const names = entries.map((e) => e.name).sort();
  assertEq(show(names), show(['a.txt', 'sub']), 'names at depth 1');
  const a = entries.find((e) => e.name === 'a.txt');
  assertEq(a.type, FileType.FILE, 'a.txt type');
  assertEq(a.size, 3, 'a.txt size');
  assertEq(a.path, `${HOME}/ls/a.txt`, 'a.txt path');
  assertEq(entries.find((e) => e.name === 'sub').type, FileType.DIR, 'sub type');
  const deep = await sbx.files.list(`${HOME}/ls`, { depth: 2 });
  assert(deep.some((e) => e.path === `${HOME}/ls/sub/b.txt`), `depth 2 misses sub/b.txt: ${show(deep.map((e) => e.path))}`);
});

test('files.exists true and false', async () => {
  const sbx = await shared();
  await sbx.files.write(`${HOME}/exists.txt`, 'x');
  assertEq(await sbx.files.exists(`${HOME}/exists.txt`), true, 'exists(existing)');
  assertEq(await sbx.files.exists(`${HOME}/nope.txt`), false, 'exists(missing)');
});

test('files.getInfo', async () => {
  const sbx = await shared();
  await sbx.files.write(`${HOME}/info.txt`, '12345');
  const info = await sbx.files.getInfo(`${HOME}/info.txt`);
  assertEq(info.name, 'info.txt', 'name');
  assertEq(info.type, FileType.FILE, 'type');
  assertEq(info.path, `${HOME}/info.txt`, 'path');
  assertEq(info.size, 5, 'size');
  assert(info.modifiedTime instanceof Date && !Number.isNaN(info.modifiedTime.getTime()), `modifiedTime ${show(info.modifiedTime)}`);
  assert(/^-rw/.test(info.permissions), `permissions ${show(info.permissions)}`);
  const dir = await sbx.files.getInfo(HOME);
  assertEq(dir.type, FileType.DIR, 'type of /home/user');
});

test('files.makeDir true, then false when it exists', async () => {
  const sbx = await shared();
  assertEq(await sbx.files.makeDir(`${HOME}/newdir/nested`), true, 'first makeDir');
  assertEq(await sbx.files.makeDir(`${HOME}/newdir/nested`), false, 'second makeDir');
  assertEq((await sbx.files.getInfo(`${HOME}/newdir/nested`)).type, FileType.DIR, 'created type');
});

test('files.rename', async () => {
  const sbx = await shared();
  await sbx.files.write(`${HOME}/before.txt`, 'moved');
  const entry = await sbx.files.rename(`${HOME}/before.txt`, `${HOME}/after.txt`);
  assertEq(entry.path, `${HOME}/after.txt`, 'rename().path');
  assertEq(await sbx.files.exists(`${HOME}/before.txt`), false, 'old path exists');
  assertEq(await sbx.files.read(`${HOME}/after.txt`), 'moved', 'content at new path');
});

test('files.remove a file and a directory tree', async () => {
  const sbx = await shared();
  await sbx.files.write([
    { path: `${HOME}/gone.txt`, data: 'x' },
    { path: `${HOME}/gonedir/a/b.txt`, data: 'y' },
  ]);
  await sbx.files.remove(`${HOME}/gone.txt`);
  await sbx.files.remove(`${HOME}/gonedir`);
  assertEq(await sbx.files.exists(`${HOME}/gone.txt`), false, 'file exists after remove');
  assertEq(await sbx.files.exists(`${HOME}/gonedir`), false, 'dir exists after remove');
});

test('paths outside the sandbox are refused', async () => {
  const sbx = await shared();
  let read = null;
  try {
    read = await sbx.files.read('/etc/shadow');
  } catch (err) {
    read = null;
  }
  assertEq(read, null, 'reading /etc/shadow');
  let wrote = true;
  try {
    await sbx.files.write(`${HOME}/../../../tmp/../etc/cc-escape`, 'x');
  } catch (err) {
    wrote = false;
  }
  assertEq(wrote, false, 'writing through ../ out of the sandbox');
});

test('files.watchDir receives a create event', async () => {
  const sbx = await shared();
  await sbx.files.makeDir(`${HOME}/watched`);
  const got = eventually('create event for new.txt');
  const events = [];
  const handle = await sbx.files.watchDir(
    `${HOME}/watched`,
    (e) => {
      events.push(e);
      if (e.name === 'new.txt' && e.type === FilesystemEventType.CREATE) got.resolve(e);
    },
    { timeoutMs: 0 },
  );
  try {
    await sbx.files.write(`${HOME}/watched/new.txt`, 'hi');
    await got.promise.catch((err) => {
      throw new AssertionError(`${err.message}; events seen: ${show(events)}`);
    });
  } finally {
    await handle.stop();
  }
});

// The sandbox daemon writes a file in place, so a watcher sees it created and written, and a
// rewrite as a write; SDK code waits for those. No other name (a temporary) ever shows.
test('watchDir after files.write, a rewrite, makeDir, rename and remove: the daemon\'s events, no other name', async () => {
  const sbx = await shared();
  await sbx.files.makeDir(`${HOME}/watched-write`);
  const events = [];
  const waiters = [];
  const waitFor = (what, pred) => {
    const d = eventually(what);
    waiters.push({ pred, d });
    return d;
  };
  const handle = await sbx.files.watchDir(
    `${HOME}/watched-write`,
    (e) => {
      events.push(e);
      for (const w of waiters) if (w.pred(e)) w.d.resolve(e);
    },
    { timeoutMs: 0 },
  );
  const explain = (err) => {
    throw new AssertionError(`${err.message}; events seen: ${show(events)}`);
  };
  try {
    const created = waitFor('CREATE of w.txt', (e) => e.name === 'w.txt' && e.type === FilesystemEventType.CREATE);
    const written = waitFor('WRITE of w.txt', (e) => e.name === 'w.txt' && e.type === FilesystemEventType.WRITE);
    await sbx.files.write(`${HOME}/watched-write/w.txt`, 'one');
    await created.promise.catch(explain);
    await written.promise.catch(explain);
    const seen = events.length;
    const rewritten = waitFor('WRITE of w.txt after the rewrite', (e) =>
      e.name === 'w.txt' && e.type === FilesystemEventType.WRITE && events.indexOf(e) >= seen);
    await sbx.files.write(`${HOME}/watched-write/w.txt`, 'two');
    await rewritten.promise.catch(explain);

    // makeDir, rename and remove, as the daemon's watcher reports them.
    const T = FilesystemEventType;
    const made = waitFor('CREATE of d', (e) => e.name === 'd' && e.type === T.CREATE);
    await sbx.files.makeDir(`${HOME}/watched-write/d`);
    await made.promise.catch(explain);
    const renamedFrom = waitFor('RENAME of w.txt', (e) => e.name === 'w.txt' && e.type === T.RENAME);
    const renamedTo = waitFor('CREATE of v.txt', (e) => e.name === 'v.txt' && e.type === T.CREATE);
    await sbx.files.rename(`${HOME}/watched-write/w.txt`, `${HOME}/watched-write/v.txt`);
    await renamedFrom.promise.catch(explain);
    await renamedTo.promise.catch(explain);
    const removed = waitFor('REMOVE of v.txt', (e) => e.name === 'v.txt' && e.type === T.REMOVE);
    await sbx.files.remove(`${HOME}/watched-write/v.txt`);
    await removed.promise.catch(explain);

    const others = events.filter((e) => !['w.txt', 'v.txt', 'd'].includes(e.name));
    assertEq(others.length, 0, `events for other names: ${show(others)}`);
  } finally {
    await handle.stop();
  }
});

test('signed uploadUrl and downloadUrl work without the access token', async () => {
  const sbx = await shared();
  // With E2B_SANDBOX_URL set, the SDK builds these URLs on that base, which carries no sandbox
  // id; the sandbox's own host, 49983-<id>.<domain>, is what identifies it. So
  // the request goes to the engine with that Host, as a browser would send it.
  const host = `49983-${sbx.sandboxId}.${sbx.sandboxDomain}`;
  const up = new URL(await sbx.uploadUrl(`${HOME}/signed.txt`));
  const form = new Request('http://unused/', { method: 'POST', body: (() => {
    const f = new FormData();
    f.append('file', new Blob(['signed upload\n']), `${HOME}/signed.txt`);
    return f;
  })() });
  const body = Buffer.from(await form.arrayBuffer());
  const ur = await httpVia(process.env.E2B_API_URL, host, `${up.pathname}${up.search}`, {
    method: 'POST',
    headers: { 'content-type': form.headers.get('content-type') },
    body,
  });
  assertEq(ur.status, 200, `POST ${up.pathname}${up.search} (Host ${host}) status; body ${show(ur.body)}`);
  const down = new URL(await sbx.downloadUrl(`${HOME}/signed.txt`));
  const dr = await httpVia(process.env.E2B_API_URL, host, `${down.pathname}${down.search}`);
  assertEq(dr.status, 200, `GET ${down.pathname}${down.search} (Host ${host}) status`);
  assertEq(dr.body, 'signed upload\n', 'downloaded content');
  const forged = `${down.pathname}${down.search}`.replace(/signature=[^&]+/, 'signature=v1_bogus');
  assertEq((await httpVia(process.env.E2B_API_URL, host, forged)).status, 401, 'GET with a wrong signature');
  const other = new URL(down);
  other.searchParams.set('path', `${HOME}/one.txt`);
  assertEq((await httpVia(process.env.E2B_API_URL, host, `${other.pathname}${other.search}`)).status, 401, 'GET of another path with that signature');
});

test('uploadUrl and downloadUrl work verbatim on E2B_SANDBOX_URL (the signature names the sandbox)', async () => {
  // The URLs the SDK hands out here are <E2B_SANDBOX_URL>/files?…&signature=…: no sandbox id
  // anywhere. The engine routes them to the sandbox whose access token validates the signature,
  // so a user can pass them to any HTTP client as they are. Two sandboxes: each URL must land
  // in its own one.
  assert(process.env.E2B_SANDBOX_URL, 'E2B_SANDBOX_URL is set');
  const a = await shared();
  const b = await createSandbox({ metadata: { suite: sharedMeta.suite, role: 'signed-urls' } });
  const path = `${HOME}/${uniq('signed-plain')}.txt`;
  const upload = async (url, text) => {
    assert(url.startsWith(process.env.E2B_SANDBOX_URL), `${url} is built on E2B_SANDBOX_URL`);
    const form = new FormData();
    form.append('file', new Blob([text]), path);
    const r = await fetch(url, { method: 'POST', body: form });
    return { status: r.status, body: await r.text() };
  };
  const download = async (url) => {
    assert(url.startsWith(process.env.E2B_SANDBOX_URL), `${url} is built on E2B_SANDBOX_URL`);
    const r = await fetch(url);
    return { status: r.status, body: await r.text() };
  };

  for (const [sbx, text] of [[a, 'plain upload a\n'], [b, 'plain upload b\n']]) {
    const url = await sbx.uploadUrl(path);
    const r = await upload(url, text);
    assertEq(r.status, 200, `POST ${url} status; body ${show(r.body)}`);
  }
  for (const [sbx, text] of [[a, 'plain upload a\n'], [b, 'plain upload b\n']]) {
    const url = await sbx.downloadUrl(path, { useSignatureExpiration: 600 });
    const r = await download(url);
    assertEq(r.status, 200, `GET ${url} status; body ${show(r.body)}`);
    assertEq(r.body, text, `content via ${url}`);
    assertEq(await sbx.files.read(path), text, 'content read back with the SDK');
  }

  // Refusals are envd's 401s ({code, message}), not the control plane's "Invalid API key".
  const refused = async (what, promise, message) => {
    const r = await promise;
    assertEq(r.status, 401, `${what} status; body ${show(r.body)}`);
    let json;
    try {
      json = JSON.parse(r.body);
    } catch {
      throw new AssertionError(`${what}: body is not JSON: ${show(r.body)}`);
    }
    assertEq(json.code, 401, `${what} error code`);
    assertEq(json.message, message, `${what} error message`);
  };
  await refused('GET with an expired signature',
                download(await a.downloadUrl(path, { useSignatureExpiration: -60 })),
                'signature is already expired');
  const good = new URL(await a.downloadUrl(path));
  const forged = new URL(good);
  forged.searchParams.set('signature', `v1_${createHash('sha256').update('forged').digest('base64').replace(/=+$/, '')}`);
  await refused('GET with a wrong signature', download(forged.toString()), 'invalid signature');
  const otherPath = new URL(good);
  otherPath.searchParams.set('path', `${HOME}/elsewhere.txt`);
  await refused('GET of another path with that signature', download(otherPath.toString()), 'invalid signature');
  await refused('POST with a read signature', upload(good.toString(), 'nope'), 'invalid signature');
  await refused('POST with an expired signature',
                upload(await a.uploadUrl(path, { useSignatureExpiration: -60 }), 'nope'),
                'signature is already expired');
  assertEq(await a.files.read(path), 'plain upload a\n', 'content after refused uploads');
});

// ---------------------------------------------------------------------------------------------
// Preview host

function httpVia(apiUrl, host, path, { method = 'GET', headers = {}, body = null } = {}) {
  // A request to the engine with the Host header a browser would send for `host`.
  const u = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method, headers: { ...headers, Host: host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('getHost(port) reaches a server started in the sandbox', async () => {
  const sbx = await shared();
  const token = uniq('preview');
  await sbx.files.write(`${HOME}/site/index.html`, `<p>${token}</p>\n`);
  const out = textWaiter();
  const server = await sbx.commands.run('cd site && exec python3 -u -m http.server 0 --bind 0.0.0.0', {
    background: true,
    timeoutMs: 0,
    onStdout: (d) => out.push(d),
    onStderr: (d) => out.push(d),
  });
  try {
    const text = await out.until(/port (\d+)/, 'python http.server announcing its port');
    const port = Number(/port (\d+)/.exec(text)[1]);
    const host = sbx.getHost(port);
    assertEq(host, `${port}-${sbx.sandboxId}.${sbx.sandboxDomain}`, 'getHost() form');
    let res;
    try {
      const r = await fetch(`http://${host}/index.html`);
      res = { status: r.status, body: await r.text() };
      console.log(`# fetched http://${host}/index.html directly`);
    } catch (err) {
      const code = err?.cause?.code;
      if (code !== 'ENOTFOUND' && code !== 'EAI_AGAIN') throw err;
      // Browsers map *.localhost to loopback; node's resolver does only where the system's does
      // (glibc needs nss-myhostname). Same request, to the engine, with that Host header.
      console.log(`# node cannot resolve ${host} here (${code}); sent Host: ${host} to the engine instead`);
      res = await httpVia(process.env.E2B_API_URL, host, '/index.html');
    }
    assertEq(res.status, 200, `GET http://${host}/index.html status`);
    assert(res.body.includes(token), `preview body ${show(res.body)} lacks ${token}`);
  } finally {
    await server.kill();
  }
});

// ---------------------------------------------------------------------------------------------
// Lifecycle

test('setTimeout moves endAt', async () => {
  const sbx = await shared();
  const before = Date.now();
  await sbx.setTimeout(1234 * 1000);
  const info = await sbx.getInfo();
  const delta = (info.endAt.getTime() - before) / 1000;
  assert(delta > 1234 - 60 && delta < 1234 + 60, `endAt is ${delta.toFixed(1)} s from now, expected about 1234 s`);
  await sbx.setTimeout(300 * 1000);
  const again = await sbx.getInfo();
  const delta2 = (again.endAt.getTime() - Date.now()) / 1000;
  assert(delta2 > 240 && delta2 < 360, `after setTimeout(300 s) endAt is ${delta2.toFixed(1)} s from now`);
});

test('create with timeoutMs, getMetrics', async () => {
  const before = Date.now();
  const sbx = await createSandbox({ timeoutMs: 120 * 1000, metadata: { suite: sharedMeta.suite, role: 'timeout' } });
  const info = await sbx.getInfo();
  const delta = (info.endAt.getTime() - before) / 1000;
  assert(delta > 60 && delta < 180, `endAt is ${delta.toFixed(1)} s after create, expected about 120 s`);
  const metrics = await sbx.getMetrics();
  assert(Array.isArray(metrics), `getMetrics() returned ${show(metrics)}`);
  for (const m of metrics) assert(typeof m.cpuCount === 'number' && m.timestamp instanceof Date, `metric ${show(m)}`);
});

test('pause, then Sandbox.connect resumes with files intact', async () => {
  const sbx = await createSandbox({ metadata: { suite: sharedMeta.suite, role: 'pause' } });
  await sbx.files.write(`${HOME}/kept.txt`, 'still here');
  assertEq(await sbx.pause(), true, 'pause()');
  assertEq((await sbx.getInfo()).state, 'paused', 'state after pause');
  assertEq(await sbx.pause(), false, 'pause() of a paused sandbox');
  const paused = await Sandbox.list({ query: { metadata: { suite: sharedMeta.suite, role: 'pause' }, state: ['paused'] } }).nextItems();
  assertEq(show(paused.map((s) => s.sandboxId)), show([sbx.sandboxId]), 'list(state paused)');
  const again = await Sandbox.connect(sbx.sandboxId);
  created.add(again);
  assertEq(again.sandboxId, sbx.sandboxId, 'connected id');
  assertEq((await again.getInfo()).state, 'running', 'state after connect');
  assertEq(await again.files.read(`${HOME}/kept.txt`), 'still here', 'file after resume');
  const r = await again.commands.run('echo resumed');
  assertEq(r.stdout, 'resumed\n', 'command after resume');
});

// On E2B a paused sandbox keeps its processes and their memory: a server is there again, with
// its state, after the resume.
test('pause and resume keep a running server and its in-memory counter', async () => {
  const sbx = await createSandbox({ metadata: { suite: sharedMeta.suite, role: 'pause-server' } });
  const listening = eventually('the server says it listens');
  const server = await sbx.commands.run(
    `node -e "let n = 0; require('http').createServer((q, r) => r.end(String(++n))).listen(8123, '127.0.0.1', () => console.log('listening'))"`,
    { background: true, onStdout: (d) => { if (d.includes('listening')) listening.resolve(); } },
  );
  await listening.promise;
  const ask = async (s) =>
    (await s.commands.run(`node -e "fetch('http://127.0.0.1:8123').then((r) => r.text()).then((t) => process.stdout.write(t))"`)).stdout;
  assertEq(await ask(sbx), '1', 'first answer');
  assertEq(await ask(sbx), '2', 'second answer');
  assertEq(await sbx.pause(), true, 'pause()');
  const again = await Sandbox.connect(sbx.sandboxId);
  created.add(again);
  assertEq(await ask(again), '3', 'the same server, its count kept, after the resume');
  const running = (await again.commands.list()).map((p) => p.pid);
  assertEq(running.includes(server.pid), true, `the server process ${server.pid} among ${show(running)}`);
  await server.kill();
});

test('Sandbox.list filters by metadata and pages', async () => {
  const suite = uniq('list');
  const a = await createSandbox({ metadata: { suite, n: '1' } });
  const b = await createSandbox({ metadata: { suite, n: '2' } });
  const both = await Sandbox.list({ query: { metadata: { suite } } }).nextItems();
  assertEq(show(both.map((s) => s.sandboxId).sort()), show([a.sandboxId, b.sandboxId].sort()), 'list(suite)');
  const one = await Sandbox.list({ query: { metadata: { suite, n: '2' } } }).nextItems();
  assertEq(show(one.map((s) => s.sandboxId)), show([b.sandboxId]), 'list(suite, n=2)');
  assertEq(one[0].metadata?.n, '2', 'listed metadata');
  assertEq(one[0].state, 'running', 'listed state');
  const none = await Sandbox.list({ query: { metadata: { suite: `${suite}-none` } } }).nextItems();
  assertEq(none.length, 0, 'list(unknown suite)');
  const pager = Sandbox.list({ query: { metadata: { suite } }, limit: 1 });
  const seen = [];
  while (pager.hasNext) seen.push(...(await pager.nextItems()));
  assertEq(show(seen.map((s) => s.sandboxId).sort()), show([a.sandboxId, b.sandboxId].sort()), 'paged list, limit 1');
});

// Outbound rules: all-or-nothing keeps its meaning (deny-all without allowed entries is no
// outbound traffic at all), per-address rules are applied where the engine says it can (its
// status fact "network-rules"), and refused with its reason elsewhere; rules it cannot apply are
// refused with words, never accepted and ignored. Whether the rules filter is tested against a
// test host in tests/engine/test-netns.c; no connection is made here.
test('network rules: deny-all, per-address rules and updates, and rules it cannot apply', async () => {
  const refused = async (promise, pattern, what) => {
    try {
      await promise;
    } catch (err) {
      if (!pattern.test(err?.message)) throw new AssertionError(`${what}: refused with ${err?.name}: ${err?.message}`);
      return;
    }
    throw new AssertionError(`${what}: accepted`);
  };
  const status = await fetch(`${process.env.E2B_API_URL}/engine/status`, {
    headers: { 'X-API-KEY': process.env.E2B_API_KEY },
  }).then((r) => r.json());
  const fact = (status.facts || []).find((f) => f.name === 'network-rules');
  assert(fact && typeof fact.detail === 'string', 'the engine status has a network-rules fact');

  const closed = await Sandbox.create({ network: { denyOut: ['0.0.0.0/0'] } });
  try {
    assertEq((await closed.getInfo()).allowInternetAccess, false, 'allowInternetAccess after deny-all');
    const links = await closed.commands.run("awk -F: 'NR > 2 { gsub(/ /, \"\", $1); print $1 }' /proc/net/dev");
    assertEq(links.stdout.trim(), 'lo', 'network interfaces of a sandbox without outbound traffic');
    await closed.updateNetwork({ denyOut: ['0.0.0.0/0'] });
    await refused(closed.updateNetwork({}), /cannot open outbound traffic/, 'opening a closed sandbox');
  } finally {
    await closed.kill();
  }
  await refused(Sandbox.create({ network: { egressProxy: { address: '127.0.0.1:1080' } } }), /egressProxy/,
    'an egress proxy');
  await refused(Sandbox.create({ network: { denyOut: ['*.example.com'] } }), /wildcard/, 'a wildcard host name');
  if (!fact.ok) {
    const reason = new RegExp(fact.detail.slice(0, 40).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    await refused(Sandbox.create({ network: { denyOut: ['192.0.2.1'] } }), reason, 'denying one address here');
    return;
  }
  const filtered = await Sandbox.create({ network: { denyOut: ['192.0.2.1', '198.51.100.0/24'] } });
  try {
    assertEq((await filtered.getInfo()).allowInternetAccess, true, 'allowInternetAccess with per-address rules');
    assertEq((await filtered.commands.run('echo up')).stdout, 'up\n', 'a command under per-address rules');
    await filtered.updateNetwork({ denyOut: ['0.0.0.0/0'], allowOut: ['192.0.2.0/24', 'localhost'] });
    await refused(filtered.updateNetwork({ allowOut: ['not a host!'], denyOut: ['0.0.0.0/0'] }),
      /not an address, a CIDR range or a host name/, 'an entry that is no address');
    await filtered.updateNetwork({ denyOut: ['0.0.0.0/0'] });
    await filtered.updateNetwork({});
  } finally {
    await filtered.kill();
  }
});

// Filesystem snapshots and forks: the home directory is copied, memory and processes are not.
test('createSnapshot, create from it by id and by name, listSnapshots, deleteSnapshot', async () => {
  const source = await Sandbox.create();
  const made = [];
  try {
    await source.files.write(`${HOME}/keep/a.txt`, 'first\n');
    await source.commands.run(`ln -s /etc/passwd ${HOME}/keep/link && mkdir -p ${HOME}/keep/deep/er && printf x > ${HOME}/keep/deep/er/b && mkfifo ${HOME}/keep/fifo`);
    const snap = await source.createSnapshot({ name: `snap-${source.sandboxId}` });
    assertEq(typeof snap.snapshotId, 'string', 'snapshotId');
    assertEq(snap.names.join(','), `snap-${source.sandboxId}`, 'names');
    await source.files.write(`${HOME}/keep/a.txt`, 'changed after the snapshot\n');

    for (const ref of [snap.snapshotId, `snap-${source.sandboxId}`]) {
      const restored = await Sandbox.create(ref);
      made.push(restored);
      assertEq(await restored.files.read(`${HOME}/keep/a.txt`), 'first\n', `a.txt in a sandbox from ${ref}`);
      assertEq(await restored.files.read(`${HOME}/keep/deep/er/b`), 'x', `deep file from ${ref}`);
      const link = await restored.commands.run(`readlink ${HOME}/keep/link`);
      assertEq(link.stdout, '/etc/passwd\n', `the symlink is copied as a symlink (${ref})`);
      const fifo = await restored.commands.run(`test -e ${HOME}/keep/fifo && echo there || echo absent`);
      assertEq(fifo.stdout, 'absent\n', `a FIFO is left out (${ref})`);
    }

    const listed = await Sandbox.listSnapshots({ sandboxId: source.sandboxId }).nextItems();
    assertEq(listed.map((s) => s.snapshotId).join(','), snap.snapshotId, 'listSnapshots for the sandbox');
    assertEq(await Sandbox.deleteSnapshot(snap.snapshotId), true, 'deleteSnapshot');
    assertEq(await Sandbox.deleteSnapshot(snap.snapshotId), false, 'deleteSnapshot again');
    assertEq((await Sandbox.listSnapshots({ sandboxId: source.sandboxId }).nextItems()).length, 0,
      'listSnapshots after the delete');
  } finally {
    await Promise.allSettled([source, ...made].map((s) => s.kill()));
  }
});

test('fork: two sandboxes with copies of the files, each changed alone', async () => {
  const source = await Sandbox.create({ metadata: { role: 'fork-source' } });
  let forks = [];
  try {
    await source.files.write(`${HOME}/state.txt`, 'shared\n');
    forks = await Sandbox.fork(source.sandboxId, { count: 2 });
    assertEq(forks.length, 2, 'fork count');
    for (const f of forks) if (f instanceof Error) throw f;
    await forks[0].files.write(`${HOME}/state.txt`, 'fork 0\n');
    assertEq(await forks[1].files.read(`${HOME}/state.txt`), 'shared\n', 'the other fork');
    assertEq(await source.files.read(`${HOME}/state.txt`), 'shared\n', 'the source');
    assertEq(await forks[0].files.read(`${HOME}/state.txt`), 'fork 0\n', 'the changed fork');
    assertEq((await forks[1].getInfo()).metadata.role, 'fork-source', 'metadata travels with a fork');
  } finally {
    await Promise.allSettled([source, ...forks.filter((f) => !(f instanceof Error))].map((s) => s.kill()));
  }
});

test('kill, then the sandbox is gone', async () => {
  const sbx = await createSandbox({ metadata: { suite: sharedMeta.suite, role: 'kill' } });
  const id = sbx.sandboxId;
  assertEq(await sbx.kill(), true, 'kill()');
  created.delete(sbx);
  assertEq(await Sandbox.kill(id), false, 'Sandbox.kill() of a killed sandbox');
  await assertRejects(Sandbox.getInfo(id), SandboxNotFoundError, 'getInfo() after kill');
  await assertRejects(Sandbox.connect(id), SandboxNotFoundError, 'connect() after kill');
  assertEq(await sbx.isRunning(), false, 'isRunning() after kill');
});

test('a command in a sandbox killed under it ends as on E2B: "killed or reached its end of life"', async () => {
  const sbx = await createSandbox({ metadata: { suite: sharedMeta.suite, role: 'killed-mid-command' } });
  const h = await sbx.commands.run('sleep 600', { background: true, timeoutMs: 0 });
  assertEq(await Sandbox.kill(sbx.sandboxId), true, 'Sandbox.kill()');
  created.delete(sbx);
  let err;
  try {
    await h.wait();
  } catch (e) {
    err = e;
  }
  assert(err, 'wait() resolved for a command whose sandbox was killed');
  assert(!(err instanceof CommandExitError), `wait() gave CommandExitError ${show(err.error ?? err.message)}`);
  assert(/killed or reached its end of life/.test(err.message), `wait() error ${show(err.message)}`);
});

// ---------------------------------------------------------------------------------------------
// --print-env

test('eval "$(code-canvas-engine --print-env)" is enough for the SDK', async () => {
  const engine = process.env.CODE_CANVAS_ENGINE;
  assert(engine, 'CODE_CANVAS_ENGINE is not set');
  const env = { ...process.env };
  delete env.E2B_API_URL;
  delete env.E2B_SANDBOX_URL;
  delete env.E2B_API_KEY;
  delete env.E2B_DOMAIN;
  const child = `
    const { Sandbox } = await import(process.env.CC_SDK_PACKAGE || 'e2b');
    const s = await Sandbox.create();
    const r = await s.commands.run('echo via-print-env');
    await s.kill();
    process.stdout.write(r.stdout);
  `;
  const script = 'set -e; eval "$("$CODE_CANVAS_ENGINE" --print-env)"; exec node --input-type=module -e "$CHILD"';
  const res = await new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', script], { env: { ...env, CHILD: child }, cwd: process.cwd() });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assertEq(res.code, 0, `exit status (stderr: ${show(res.stderr.slice(-500))})`);
  assertEq(res.stdout, 'via-print-env\n', 'stdout');
});

// ---------------------------------------------------------------------------------------------

function withTimeout(promise, ms, name) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new AssertionError(`${name}: no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function diag(text) {
  for (const line of String(text).split('\n')) console.log(`#   ${line}`);
}

async function main() {
  for (const v of ['E2B_API_URL', 'E2B_SANDBOX_URL', 'E2B_API_KEY']) {
    if (!process.env[v]) {
      console.log(`Bail out! ${v} is not set: run this through run-sdk-test.sh`);
      process.exit(1);
    }
  }
  const only = process.env.CC_SDK_ONLY ? new RegExp(process.env.CC_SDK_ONLY) : null;
  const selected = only ? cases.filter((c) => only.test(c.name)) : cases;
  console.log(`1..${selected.length}`);
  let failed = 0;
  for (const [i, c] of selected.entries()) {
    try {
      await withTimeout(c.fn(), CASE_TIMEOUT_MS, c.name);
      console.log(`ok ${i + 1} - ${c.name}`);
    } catch (err) {
      failed++;
      console.log(`not ok ${i + 1} - ${c.name}`);
      diag(err instanceof AssertionError ? err.message : `${err?.name}: ${err?.message}\n${err?.stack ?? ''}`);
      if (err?.cause) diag(`cause: ${err.cause?.message ?? err.cause}`);
    }
  }
  for (const sbx of created) {
    try {
      await sbx.kill();
    } catch {
      // the engine is killed after us anyway
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
