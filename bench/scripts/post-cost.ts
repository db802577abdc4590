/**
 * Server CPU per message POST, a figure the machine's load moves little (CPU time from /proc, not
 * latency): a guild of 10 members with no gateway session (so the push worker sees them all
 * offline), 200 warm-up POSTs, then N measured with K in flight.
 *   npx tsx bench/scripts/post-cost.ts [postgres|pglite] [N=500] [K=1]
 * PostgreSQL needs TEST_DATABASE_URL (it creates a database rc_bench_pc_<pid> and drops it
 * afterwards). PROF=1 writes a CPU profile into the data dir it prints; PRELOAD=<file> imports a
 * module into the server first (e.g. to count statements).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { setupGuild } from '../src/fixtures.js';
import { readCpu } from '../src/proc-stats.js';
import { rest } from '../src/rest.js';
import { startServer } from '../src/server-process.js';

const backend = (process.argv[2] ?? 'postgres') as 'postgres' | 'pglite';
const n = Number(process.argv[3] ?? 500);
const inflight = Number(process.argv[4] ?? 1);
let databaseUrl: string | undefined;
if (backend === 'postgres') {
  const name = `rc_bench_pc_${process.pid}`;
  const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const dataDir = mkdtempSync(join(tmpdir(), 'rc-pc-'));
const server = await startServer({
  env: process.env.PRELOAD ? { NODE_OPTIONS: `--import=${process.env.PRELOAD}` } : undefined,
  backend,
  dataDir,
  databaseUrl,
  logLevel: 'warn',
  logFile: join(dataDir, 'log'),
  jwtSecret: 'x'.repeat(32),
  cpuProfDir: process.env.PROF ? dataDir : undefined,
});
const g = await setupGuild(server.url, 10);
/** The server's user and system CPU so far, in ms. */
const cpu = () => {
  const c = readCpu(server.pid);
  return { user: (c?.userS ?? 0) * 1000, sys: (c?.sysS ?? 0) * 1000 };
};
/** CPU of every PostgreSQL process (backends, WAL writer, checkpointer), in ms; 0 for PGlite. */
const pgCpu = () => {
  if (backend !== 'postgres') return 0;
  let ms = 0;
  for (const pid of readdirSync('/proc')) {
    const c = /^\d+$/.test(pid) ? readCpu(pid) : undefined;
    if (c?.comm === 'postgres') ms += (c.userS + c.sysS) * 1000;
  }
  return ms;
};
const lat: number[] = [];
const run = async (count: number, record: boolean) => {
  let i = 0;
  const worker = async () => {
    while (i < count) {
      i++;
      const t0 = performance.now();
      const r = process.env.GET_PATH
        ? await rest(server.url, 'GET', process.env.GET_PATH, { token: g.all[i % 10].token })
        : await rest(server.url, 'POST', `/channels/${g.channelId}/messages`, {
            token: g.all[i % 10].token,
            body: { content: `hello ${i}` },
          });
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      if (record) lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
};
await run(200, false);
// SEGMENTS=k: server CPU per POST over k consecutive parts of a longer run first (how long V8 takes to warm up).
for (let k = Number(process.env.SEGMENTS ?? 0), j = 0; j < k; j++) {
  const a = cpu();
  await run(n, false);
  const b = cpu();
  console.log(`segment ${j + 1}: ${n} POSTs, server CPU ${((b.user + b.sys - a.user - a.sys) / n).toFixed(2)} ms/POST`);
}
const c0 = cpu();
const pg0 = pgCpu();
const me0 = process.cpuUsage();
const t0 = performance.now();
await run(n, true);
const wall = performance.now() - t0;
const c1 = cpu();
const pgUsed = pgCpu() - pg0;
const me = process.cpuUsage(me0);
const used = c1.user + c1.sys - c0.user - c0.sys;
lat.sort((a, b) => a - b);
console.log(
  `${backend} ${inflight} in flight: ${n} POSTs in ${wall.toFixed(0)} ms = ${((n / wall) * 1000).toFixed(0)}/s; latency p50 ${lat[n >> 1].toFixed(2)} p99 ${lat[Math.floor(n * 0.99)].toFixed(2)} p99.9 ${lat[Math.floor(n * 0.999)].toFixed(2)} max ${lat[n - 1].toFixed(2)} ms; server CPU ${(used / n).toFixed(2)} ms/POST (user ${((c1.user - c0.user) / n).toFixed(2)}, kernel ${((c1.sys - c0.sys) / n).toFixed(2)}; ${((used / wall) * 100).toFixed(0)}%); this client ${((me.user + me.system) / 1000 / n).toFixed(2)} ms/request${backend === 'postgres' ? `; PostgreSQL ${(pgUsed / n).toFixed(2)} ms/POST (all its processes)` : ''}`,
);
await server.stop();
if (databaseUrl) {
  const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  await c.query(`drop database if exists rc_bench_pc_${process.pid}`);
  await c.end();
}
console.log('dir', dataDir);
process.exit(0);
