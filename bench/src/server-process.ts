import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nowMs, readProc } from './proc-stats.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** BENCH_SERVER_DIR: a snapshot built by scripts/snapshot.sh; default the working tree's build. */
export const SERVER_DIR = resolve(process.env.BENCH_SERVER_DIR || REPO);
const SERVER_MAIN = join(SERVER_DIR, 'server/dist/main.js');

export type Backend = 'pglite' | 'postgres';

export interface ServerOptions {
  backend: Backend;
  /** Reused by restarts (cold start) and by a second instance (multi-instance, PostgreSQL only). */
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
  logLevel: string;
  logFile: string;
  /** Write a V8 CPU profile (.cpuprofile) into this folder when the server exits. */
  cpuProfDir?: string;
  /** JWT secret shared by instances of one server. */
  jwtSecret: string;
  env?: Record<string, string>;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Process start → first /healthz 200, in ms. */
  startMs: number;
  /** CPU time (user + system, all threads) the server had used by its first /healthz 200, in ms. */
  startCpuMs: number;
  stop(): Promise<void>;
}

/**
 * Environment of a benchmark server: rate limits off (the load generator is one IP sending far above
 * Discord's per-user limits), Argon2 memory lowered to 1 MiB so registering thousands of users
 * takes seconds, and voice off (no livekit-server child: these are text-chat benchmarks); everything
 * else is the production default.
 */
export function serverEnv(o: ServerOptions, port: number): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: o.dataDir,
    LOG_LEVEL: o.logLevel,
    JWT_SECRET: o.jwtSecret,
    RATE_LIMIT_DISABLED: '1',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    REGISTRATION: 'open',
    ARGON2_MEMORY_KIB: '1024',
    LIVEKIT_MODE: 'off',
    // Plain HTTP on loopback only: no HTTPS listener on the fixed 8443 (two instances would collide), no mDNS.
    TLS: 'off',
    MDNS: 'off',
    ...o.env,
  };
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  if (o.redisUrl) env.REDIS_URL = o.redisUrl;
  if (o.redisPrefix) env.REDIS_PREFIX = o.redisPrefix;
  return env;
}

export function assertBuilt() {
  if (!existsSync(SERVER_MAIN)) {
    throw new Error(`${SERVER_MAIN} is missing: run "npm run build -w protocol && npm run build -w server" first`);
  }
}

/** The node flags `npm start` gives the measured build's server (none before scripts/server-node-flags.mjs). */
async function startFlags(): Promise<string[]> {
  const module = join(SERVER_DIR, 'scripts/server-node-flags.mjs');
  if (!existsSync(module)) return [];
  return ((await import(module)) as { serverNodeFlags(): string[] }).serverNodeFlags();
}

/** Spawns `node server/dist/main.js` (with npm start's node flags) and resolves once /healthz answers 200 (at most `timeoutMs`). */
export async function startServer(o: ServerOptions, timeoutMs = 120_000): Promise<ServerProcess> {
  assertBuilt();
  const port = await freePort();
  const log = openSync(o.logFile, 'a');
  // BENCH_NODE_FLAGS: extra flags for looking inside a run (`--trace-gc`, `--import <profiler>`).
  const extra = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const args = [...(await startFlags()), ...extra, ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : []), SERVER_MAIN];
  const started = nowMs();
  const child = spawn(process.execPath, args, { cwd: SERVER_DIR, env: serverEnv(o, port), stdio: ['ignore', log, log] });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  live.add(child);
  const exited = new Promise<void>((res) => child.once('exit', () => res(void live.delete(child))));
  try {
    await waitHealthy(url, child, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`server did not start (see ${o.logFile}): ${(err as Error).message}`);
  }
  const startMs = nowMs() - started;
  const startCpuMs = (readProc(child.pid as number)?.cpuS ?? Number.NaN) * 1000;
  return { url, pid: child.pid as number, startMs, startCpuMs, stop: () => stopChild(child, exited) };
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = nowMs() + timeoutMs;
  while (nowMs() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  throw new Error(`no /healthz 200 within ${timeoutMs} ms`);
}

/** SIGTERM (graceful: the server finishes requests and writes its CPU profile), SIGKILL after 20 s. */
async function stopChild(child: ChildProcess, exited: Promise<void>) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Every server process still running, so an interrupted bench never leaves one behind. */
const live = new Set<ChildProcess>();

export function killAllServers() {
  for (const child of live) child.kill('SIGKILL');
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'retrocast-bench-'));
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true });
}

export const randomSecret = () => randomBytes(32).toString('base64url');

/** A fresh database on the PostgreSQL server of `baseUrl`, dropped by the returned function. */
export async function createDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const name = `rc_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
