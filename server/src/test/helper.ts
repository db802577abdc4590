import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { closeApp } from '../http/close.js';
import { listenAll } from '../lan/servers.js';
import { within } from './bounded.js';

/**
 * Test servers are real: a Fastify app listening on a free loopback port, on the backend the
 * vitest project selects (RETROCAST_TEST_BACKEND=pglite | postgres). Postgres runs get a fresh
 * database per server; Redis runs get a fresh key prefix unless `shareWith` names another server.
 */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  /** https://127.0.0.1:<port> when the test asked for TLS (env TLS: 'on'). */
  httpsUrl?: string;
  dataDir: string;
  databaseUrl?: string;
  redisPrefix?: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export const backend = (process.env.RETROCAST_TEST_BACKEND ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh database: empty, or (`migrated`) a clone of the project's migrated template when there is one. */
export async function createPostgresDatabase(migrated = false): Promise<string> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('RETROCAST_TEST_BACKEND=postgres needs TEST_DATABASE_URL');
  const pg = (await import('pg')).default;
  const name = `rc_test_${randomBytes(6).toString('hex')}`;
  const template = migrated ? inject('postgresTemplate') : undefined;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface StartOptions {
  /** Reuse this data dir (restart tests). */
  dataDir?: string;
  /** Share database and Redis prefix with another server (multi-instance, restart tests). */
  shareWith?: TestServer;
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? opts.shareWith?.dataDir ?? mkdtempSync(join(inject('testDataRoot') ?? tmpdir(), 'retrocast-test-'));
  // A new PGlite data dir starts as a copy of the project's migrated template (global-setup.ts).
  const template = backend === 'pglite' && !opts.dataDir && !opts.shareWith ? inject('pgliteTemplate') : undefined;
  if (template && !existsSync(join(dataDir, 'db'))) cpSync(template, join(dataDir, 'db'), { recursive: true });
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    // Suites register dozens of users at once; the flood test sets its own small queue.
    ARGON2_QUEUE: '1000',
    // Cheap password hashes (64 MiB per hash costs ~0.1–0.4 s of CPU; suites register hundreds of users).
    ARGON2_MEMORY_KIB: '1024',
    // Tests register many users freely; instance/registration.test.ts tests the other modes.
    REGISTRATION: 'open',
    // TEST_GUILD_CACHE=verify runs a whole suite with every cached permission answer checked against the database.
    ...(process.env.TEST_GUILD_CACHE ? { GUILD_CACHE: process.env.TEST_GUILD_CACHE } : {}),
    ...(opts.shareWith?.env ?? {}),
    ...(opts.env ?? {}),
  };
  if (backend === 'postgres' && !env.DATABASE_URL) env.DATABASE_URL = await createPostgresDatabase(true);
  if (backend === 'postgres' && process.env.TEST_REDIS_URL && !env.REDIS_URL) {
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_PREFIX = `test-${randomBytes(6).toString('hex')}`;
  }
  const app = await buildApp(loadConfig(env));
  await listenAll(app, '127.0.0.1', 0, 0);
  const portOf = (a: ReturnType<typeof app.server.address>) => (typeof a === 'object' && a ? a.port : 0);
  const port = portOf((app.plainServer ?? app.server).address());
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    httpsUrl: app.plainServer ? `https://127.0.0.1:${portOf(app.server.address())}` : undefined,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    redisPrefix: env.REDIS_PREFIX,
    env,
    close: async () => {
      await closeApp(app, 1_000);
      if (!opts.dataDir && !opts.shareWith && backend === 'pglite') rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  /** Full Authorization header (e.g. `Bot …`); overrides token. */
  auth?: string;
  body?: unknown;
  /** Send this string as the body verbatim (malformed JSON tests). */
  raw?: string;
  headers?: Record<string, string>;
}

/** fetch against a test server; JSON in, JSON out. Paths are relative to /api/v10 unless absolute. */
export async function api<T = any>(
  server: { url: string },
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.auth) headers.authorization = opts.auth;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const full = path.startsWith('/api/') || path.startsWith('/healthz') || path.startsWith('http') ? path : `/api/v10${path}`;
  const res = await fetch(full.startsWith('http') ? full : server.url + full, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  await busSettled(server);
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/**
 * On Redis, the events a request published reach this instance's subscribers by pub/sub, which can
 * come after the response: tests that look at a bus subscriber right after a request wait for it
 * (at most 2 s, so a test of Redis going away does not hang here).
 */
async function busSettled(server: { url: string }) {
  const bus = (server as Partial<TestServer>).app?.ctx.bus;
  if (bus?.settled) await within(bus.settled(), 2000);
}

let counter = 0;
/** A fresh unique username (tests share one database per server). */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${process.pid.toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`.slice(0, 32);
}

export interface TestUser {
  id: string;
  username: string;
  token: string;
  refreshToken: string;
  password: string;
}

export async function registerUser(server: { url: string }, name = uniqueName(), password = 'correct horse battery'): Promise<TestUser> {
  const res = await api(server, 'POST', '/auth/register', { body: { username: name, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    username: res.body.user.username,
    token: res.body.access_token,
    refreshToken: res.body.refresh_token,
    password,
  };
}
