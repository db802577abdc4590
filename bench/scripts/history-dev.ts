/**
 * Iterating on history pages without re-seeding every run: `prepare` seeds a channel once into a
 * kept database / data dir (state in /tmp/history-dev/<backend>.json); `run` starts the server on it
 * (BENCH_SERVER_DIR picks the build), fetches N random pages with 1 in flight and prints latency
 * and the server's CPU per page (from /proc, so it does not depend on how busy the machine is).
 *   npx tsx bench/scripts/history-dev.ts prepare postgres 1000000
 *   npx tsx bench/scripts/history-dev.ts run postgres 3000
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { login, setupGuild } from '../src/fixtures.js';
import { newHistogram, summarize } from '../src/histogram.js';
import { nowMs, readProc } from '../src/proc-stats.js';
import { restOk } from '../src/rest.js';
import { seedPglite, seedPostgres } from '../src/seed.js';
import { type Backend, type ServerOptions, startServer } from '../src/server-process.js';

const DIR = '/tmp/history-dev';
const [cmd, backend, nArg] = process.argv.slice(2) as [string, Backend, string];
mkdirSync(DIR, { recursive: true });
const tag = process.env.HISTORY_DEV_TAG ?? '';
const statePath = `${DIR}/${backend}${tag}.json`;
const pgUrl = process.env.TEST_DATABASE_URL as string;
const dbName = `rc_history_dev${tag}`;

interface State {
  opts: ServerOptions;
  channelId: string;
  username: string;
  ids: string[];
}

function dbUrl() {
  const u = new URL(pgUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
}

async function prepare(count: number) {
  const dataDir = `${DIR}/${backend}${tag}-data`;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  if (backend === 'postgres') {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop database if exists ${dbName}`);
    await c.query(`create database ${dbName}`);
    await c.end();
  }
  const opts: ServerOptions = {
    backend,
    dataDir,
    databaseUrl: backend === 'postgres' ? dbUrl() : undefined,
    logLevel: 'warn',
    logFile: `${DIR}/${backend}-server.log`,
    jwtSecret: randomBytes(32).toString('hex'),
  };
  const s = await startServer(opts);
  const g = await setupGuild(s.url, 1);
  const target = { channelId: g.channelId, guildId: g.guildId, authorId: g.owner.id, count };
  let seeded: Awaited<ReturnType<typeof seedPostgres>>;
  if (backend === 'postgres') {
    seeded = await seedPostgres(dbUrl(), target, console.error);
    await s.stop();
  } else {
    await s.stop();
    seeded = await seedPglite(dataDir, target, console.error);
  }
  // 5,000 random cursors, the same for every run.
  const ids = Array.from({ length: 5000 }, () => seeded.idAt(50 + Math.floor(Math.random() * (count - 50))));
  const state: State = { opts, channelId: g.channelId, username: g.owner.username, ids };
  writeFileSync(statePath, JSON.stringify(state));
  console.log(`prepared ${backend}: ${count} messages`);
}

async function backendPids(): Promise<number[]> {
  const c = new pg.Client({ connectionString: dbUrl() });
  await c.connect();
  try {
    const r = await c.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
    return r.rows.map((row) => Number(row.pid));
  } finally {
    await c.end();
  }
}

async function run(n: number) {
  if (!existsSync(statePath)) throw new Error(`no ${statePath}: run prepare first`);
  const st = JSON.parse(readFileSync(statePath, 'utf8')) as State;
  const s = await startServer({
    ...st.opts,
    cpuProfDir: process.env.CPU_PROF_DIR,
    env: { ...(process.env.SERVER_ENV ? JSON.parse(process.env.SERVER_ENV) : {}) },
  });
  try {
    const token = await login(s.url, st.username);
    const page = (i: number) =>
      restOk<unknown[]>(s.url, 'GET', `/channels/${st.channelId}/messages?limit=50&before=${st.ids[i % st.ids.length]}`, { token });
    for (let i = 0; i < 300; i++) await page(i);
    const h = newHistogram();
    const each: [number, number][] = [];
    const load0 = loadavg()[0];
    // PostgreSQL: the server's database backends (their CPU is not the server process's).
    const backends = backend === 'postgres' ? await backendPids() : [];
    const dbCpu = () => backends.reduce((sum, pid) => sum + (readProc(pid)?.cpuS ?? 0), 0);
    const db0 = dbCpu();
    const cpu0 = readProc(s.pid)?.cpuS ?? 0;
    const t0 = nowMs();
    for (let i = 0; i < n; i++) {
      const a = process.hrtime.bigint();
      const rows = await page(i + 300);
      const us = Number((process.hrtime.bigint() - a) / 1000n);
      h.recordValue(us);
      each.push([Date.now() - us / 1000, us / 1000]);
      if (rows.length !== 50) throw new Error(`page of ${rows.length}`);
    }
    const wall = nowMs() - t0;
    if (process.env.TIMES_OUT) writeFileSync(process.env.TIMES_OUT, JSON.stringify({ pid: s.pid, each }));
    const cpu = (readProc(s.pid)?.cpuS ?? 0) - cpu0;
    const dbCpuMs = dbCpu() - db0;
    const sum = summarize(h);
    console.log(
      JSON.stringify({
        backend,
        pages: n,
        p50: sum.p50,
        mean: sum.mean,
        p99: sum.p99,
        max: sum.max,
        cpuMsPerPage: Math.round((cpu * 1e5) / n) / 100,
        ...(backend === 'postgres' ? { dbCpuMsPerPage: Math.round((dbCpuMs * 1e5) / n) / 100 } : {}),
        wallMsPerPage: Math.round((wall * 100) / n) / 100,
        load: [load0, loadavg()[0]].map((x) => Math.round(x * 10) / 10),
      }),
    );
  } finally {
    await s.stop();
  }
}

if (cmd === 'prepare') await prepare(Number(nArg ?? 1_000_000));
else if (cmd === 'run') await run(Number(nArg ?? 2000));
else throw new Error('usage: history-dev.ts prepare|run <backend> [n]');
process.exit(0);
