import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type BackupConfig, loadBackupConfig } from './backup/config.js';
import { type FilesConfig, loadFilesConfig } from './blobs/config.js';
import { type LanConfig, loadLanConfig } from './lan/config.js';
import { loadNotifyConfig, type NotifyConfig } from './notifications/config.js';
import { loadVoiceConfig, type VoiceConfig } from './voice/config.js';

/** Every setting, from the environment, with defaults that run out of the box. See README. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** How long one PostgreSQL connection attempt may take before it fails (startup and outages). */
  dbConnectTimeoutMs: number;
  /** PGlite's shared_buffers (resident from start: memory against cache hits for deep history). */
  pgliteSharedBuffers: string;
  redisUrl?: string;
  /** Prefix of every Redis key and channel; instances that act as one server share it. */
  redisPrefix: string;
  jwtSecret: Uint8Array;
  /** Base URL clients use to reach this server (for gateway URLs, signed links). */
  publicUrl?: string;
  logLevel: string;
  workerId: number;
  processId: number;
  /** WORKER_ID or PROCESS_ID was set: the snowflake bits are the operator's (ids/slot.ts). */
  idSlotFixed: boolean;
  /** Argon2id memory cost in KiB (spec: 64 MiB). Lower only for load generators. */
  argon2MemoryKib: number;
  /** Argon2 hashes/verifications running at once, and how many may wait (more: 503 at once). */
  argon2Concurrency: number;
  argon2Queue: number;
  /** Proxies whose X-Forwarded-For/-Proto are believed (addresses or CIDRs); empty: none. */
  trustProxy: string[];
  /** Web origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins: string[];
  /** Request body limit in bytes for JSON bodies. */
  bodyLimit: number;
  /** Disable per-route rate limits (benchmarks only). */
  rateLimitDisabled: boolean;
  /** REST permission checks from the guild state cache (on), the database (off), or both compared (verify: tests). */
  guildCache: 'on' | 'off' | 'verify';
  /** Register/login attempts per IP (and per username for login) per minute. */
  authRateLimitPerMinute: number;
  /** Seconds a gateway client may go without heartbeating before it is closed. */
  heartbeatIntervalMs: number;
  /** How long a user stays shown as present after their last session drops (no flicker on reconnect). */
  presenceGraceMs: number;
  /** A gateway socket that sends no IDENTIFY/RESUME within this is closed (4003). */
  identifyTimeoutMs: number;
  /** IDENTIFYs per account per 5 s (Discord's max_concurrency); more get op 9 INVALID_SESSION. */
  identifyMaxConcurrency: number;
  /** How long a disconnected gateway session can still be RESUMEd. */
  resumeWindowMs: number;
  webDir?: string;
  /** Uploads, blob storage (disk or S3) and link embeds (blobs/config.ts). */
  files: FilesConfig;
  /** LiveKit: external, spawned child, or off (voice/config.ts). */
  voice: VoiceConfig;
  /** Notification worker, Web Push and APNs (notifications/config.ts). */
  notify: NotifyConfig;
  /** Who may register once the first account exists (instance/registration.ts). */
  registration: 'open' | 'invite' | 'closed';
  /** HTTPS with a local CA, mDNS (lan/config.ts). */
  lan: LanConfig;
  /** Scheduled backups (backup/config.ts). */
  backup: BackupConfig;
  /** GET /metrics (METRICS=on): bearer METRICS_TOKEN, else loopback only (metrics/plugin.ts). */
  metrics: { enabled: boolean; token?: string };
  /** `pretty` for humans (pino-pretty); JSON lines otherwise. */
  logFormat: 'json' | 'pretty';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

/** JWT_SECRET, else a secret generated once and kept in DATA_DIR so tokens survive restarts. */
function loadJwtSecret(env: Env, dataDir: string): Uint8Array {
  if (env.JWT_SECRET) return new TextEncoder().encode(env.JWT_SECRET);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-secret');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch {
    const secret = randomBytes(48);
    writeFileSync(file, secret.toString('base64url'), { mode: 0o600 });
    return secret;
  }
}

function guildCacheMode(raw: string | undefined): Config['guildCache'] {
  const mode = raw || 'on';
  if (mode !== 'on' && mode !== 'off' && mode !== 'verify') throw new Error(`GUILD_CACHE must be on, off or verify, got "${raw}"`);
  return mode;
}

function registrationMode(raw: string | undefined): Config['registration'] {
  const mode = raw || 'invite';
  if (mode !== 'open' && mode !== 'invite' && mode !== 'closed')
    throw new Error(`REGISTRATION must be open, invite or closed, got "${raw}"`);
  return mode;
}

/** A PostgreSQL memory size such as `16MB` or `1GB`. */
function pgSize(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  if (!/^\d+(kB|MB|GB)$/.test(raw)) throw new Error(`${name} must be a size like 16MB or 1GB, got "${raw}"`);
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(env.DATA_DIR || './data');
  return {
    port: int(env, 'PORT', 8080),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    dbConnectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 10_000),
    pgliteSharedBuffers: pgSize(env, 'PGLITE_SHARED_BUFFERS', '16MB'),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX || 'retrocast',
    jwtSecret: loadJwtSecret(env, dataDir),
    publicUrl: env.PUBLIC_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    workerId: int(env, 'WORKER_ID', 0),
    processId: int(env, 'PROCESS_ID', process.pid % 32),
    idSlotFixed: !!(env.WORKER_ID || env.PROCESS_ID),
    argon2MemoryKib: int(env, 'ARGON2_MEMORY_KIB', 65536),
    argon2Concurrency: int(env, 'ARGON2_CONCURRENCY', Math.max(1, Math.min(4, availableParallelism()))),
    argon2Queue: int(env, 'ARGON2_QUEUE', 64),
    trustProxy: (env.TRUST_PROXY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim().replace(/\/$/, ''))
      .filter(Boolean),
    bodyLimit: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024),
    rateLimitDisabled: env.RATE_LIMIT_DISABLED === '1',
    guildCache: guildCacheMode(env.GUILD_CACHE),
    authRateLimitPerMinute: int(env, 'AUTH_RATE_LIMIT_PER_MINUTE', 10),
    heartbeatIntervalMs: int(env, 'HEARTBEAT_INTERVAL_MS', 41250),
    presenceGraceMs: int(env, 'PRESENCE_GRACE_MS', 5000),
    resumeWindowMs: int(env, 'GATEWAY_RESUME_WINDOW_MS', 90_000),
    identifyTimeoutMs: int(env, 'IDENTIFY_TIMEOUT_MS', 10_000),
    identifyMaxConcurrency: int(env, 'IDENTIFY_MAX_CONCURRENCY', 5),
    webDir: env.WEB_DIR || undefined,
    files: loadFilesConfig(env),
    voice: loadVoiceConfig(env, env.HOST || '0.0.0.0'),
    notify: loadNotifyConfig(env),
    registration: registrationMode(env.REGISTRATION),
    lan: loadLanConfig(env),
    backup: loadBackupConfig(env),
    metrics: { enabled: env.METRICS === 'on', token: env.METRICS_TOKEN || undefined },
    logFormat: env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json',
  };
}
