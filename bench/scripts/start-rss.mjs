#!/usr/bin/env node
// Server RSS at `npm start` on the embedded default (issue 16's RSS row): runs what scripts/start.mjs
// runs (`node <its node flags> server/dist/main.js`, after `npm run build`) on a fresh temp DATA_DIR with TLS, mDNS
// and LiveKit off on 127.0.0.1, samples VmRSS/VmHWM from /proc until /healthz answers 200, idles,
// samples again, stops it with SIGTERM, then does the same on the now existing data dir.
//   node bench/scripts/start-rss.mjs [--idle 5] [--runs 1] [--keep] [-- extra node flags]
// BENCH_SERVER_DIR measures another build (bench/scripts/snapshot.sh), as the bench does.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env.BENCH_SERVER_DIR || new URL('../..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
// The flags npm start gives the server (a build from before scripts/server-node-flags.mjs had none), then ours.
const flagsModule = join(root, 'scripts/server-node-flags.mjs');
const startFlags = existsSync(flagsModule) ? (await import(flagsModule)).serverNodeFlags() : [];
const nodeFlags = [...startFlags, ...(dash >= 0 ? argv.slice(dash + 1) : [])];
const opts = dash >= 0 ? argv.slice(0, dash) : argv;
const opt = (name, dflt) => {
  const i = opts.indexOf(`--${name}`);
  return i >= 0 ? Number(opts[i + 1]) : dflt;
};
const idleSeconds = opt('idle', 5);
const runs = opt('runs', 1);
const keep = opts.includes('--keep');
const START_TIMEOUT_MS = 180_000;

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** VmRSS and VmHWM in MiB (undefined once the process is gone). */
function mem(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startOnce(dataDir, label) {
  const port = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    TLS: 'off',
    MDNS: 'off',
    LIVEKIT_MODE: 'off',
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, join(root, 'server/dist/main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  let peakRss = 0;
  let last;
  const sample = () => {
    const m = mem(child.pid);
    if (m && Number.isFinite(m.rss)) {
      last = m;
      peakRss = Math.max(peakRss, m.rss);
    }
  };
  const sampler = setInterval(sample, 20);
  try {
    let healthy = false;
    while (!healthy) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${label}: server exited before /healthz:\n${out}`);
      if (performance.now() - started > START_TIMEOUT_MS)
        throw new Error(`${label}: no /healthz 200 within ${START_TIMEOUT_MS} ms:\n${out}`);
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await sleep(25);
    }
    const readyMs = performance.now() - started;
    sample();
    const atReady = last;
    await sleep(idleSeconds * 1000);
    sample();
    const idle = last;
    child.kill('SIGTERM');
    const { code } = await Promise.race([exited, sleep(15_000).then(() => ({ code: 'timeout' }))]);
    return { label, readyMs, atReadyRss: atReady.rss, idleRss: idle.rss, peakRss, hwm: idle.hwm, exit: code };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

const rows = [];
const load = [loadavg()[0]];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-start-rss-'));
  try {
    rows.push(await startOnce(dataDir, `first start (empty data dir)${runs > 1 ? ` #${i + 1}` : ''}`));
    rows.push(await startOnce(dataDir, `second start (same data dir)${runs > 1 ? ` #${i + 1}` : ''}`));
  } finally {
    if (keep) console.log(`kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
  }
  load.push(loadavg()[0]);
}

const f = (n) => n.toFixed(0).padStart(6);
console.log(
  `node ${process.version}${nodeFlags.length ? ` ${nodeFlags.join(' ')}` : ''}; idle ${idleSeconds} s; load average (1 min) ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
console.log('| start | /healthz 200 (ms) | RSS at 200 (MiB) | RSS idle (MiB) | peak RSS sampled (MiB) | VmHWM (MiB) | exit |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const r of rows)
  console.log(`| ${r.label} | ${f(r.readyMs)} | ${f(r.atReadyRss)} | ${f(r.idleRss)} | ${f(r.peakRss)} | ${f(r.hwm)} | ${r.exit} |`);
