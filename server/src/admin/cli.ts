#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SnowflakeGenerator } from '@retrocast/protocol';
import pino from 'pino';
import { RestoreRefused, restoreBackup } from '../backup/restore.js';
import { openBlobStore } from '../blobs/index.js';
import { SessionGuard } from '../auth/session-guard.js';
import { openBus } from '../bus/index.js';
import { type Config, loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { openDatabase } from '../db/client.js';
import { createMemoryRateLimitStore } from '../ratelimit/store.js';
import { AdminError, runAdminCommand } from './commands.js';
import { sendAdminCommand } from './socket.js';

/**
 * `npm run admin -- <command>`: asks the running server over DATA_DIR/admin.sock; when no server
 * runs, opens the configured database itself (PGlite allows only one process at a time).
 */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<CliResult> {
  const config = loadConfig(env);
  if (argv[0] === 'restore') return restore(config, argv.slice(1));
  // The server writes the archive, so the path must not depend on its working directory.
  if (argv[0] === 'backup' && argv[1]) argv = ['backup', resolve(argv[1]), ...argv.slice(2)];
  const reply = await sendAdminCommand(config.dataDir, argv);
  if (reply) return reply.ok ? { code: 0, out: reply.output, via: 'server' } : { code: 1, out: reply.error, via: 'server' };
  const ctx = await openAdminContext(config);
  try {
    return { code: 0, out: await runAdminCommand(ctx, argv), via: 'database' };
  } catch (err) {
    if (err instanceof AdminError || err instanceof TypeError) return { code: 1, out: err.message, via: 'database' };
    throw err;
  } finally {
    await closeAdminContext(ctx);
  }
}

/** `npm run restore -- <file> [--force]`: only with the server stopped. */
async function restore(config: Config, argv: string[]): Promise<CliResult> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean' } } });
  if (positionals.length !== 1) return { code: 1, out: 'usage: npm run restore -- <file> [--force]', via: 'database' };
  if (await sendAdminCommand(config.dataDir, ['user', 'list']).catch(() => undefined)) {
    return { code: 1, out: 'the server is running: stop it first (restore replaces its data)', via: 'server' };
  }
  try {
    const r = await restoreBackup(config, resolve(positionals[0]), { force: values.force });
    const m = r.manifest;
    return {
      code: 0,
      out: `restored ${positionals[0]} (Retrocast ${m.app_version}, ${m.created_at}, from ${m.source.driver}/${m.source.files}): ${r.rows} rows, ${r.files} files, ${r.secrets} secrets`,
      via: 'database',
    };
  } catch (err) {
    if (err instanceof RestoreRefused) return { code: 1, out: err.message, via: 'database' };
    throw err;
  }
}

export interface CliResult {
  code: number;
  out: string;
  /** Whether the running server answered or the CLI opened the database itself. */
  via: 'server' | 'database';
}

/** The services' context without an HTTP server (server stopped, or PostgreSQL shared with it). */
export async function openAdminContext(config: ReturnType<typeof loadConfig>): Promise<AppContext> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const database = await openDatabase({ ...config, log });
  const bus = await openBus(config.redisUrl, config.redisPrefix, log);
  const blobs = await openBlobStore(config);
  return {
    config,
    database,
    db: database.db,
    bus,
    blobs,
    ids: new SnowflakeGenerator(config.workerId, config.processId),
    rateLimits: createMemoryRateLimitStore(),
    sessions: new SessionGuard(database.db, bus),
    log,
  };
}

export async function closeAdminContext(ctx: AppContext) {
  await ctx.rateLimits.close();
  await ctx.bus.close();
  await ctx.blobs.close();
  await ctx.database.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  runCli(process.argv.slice(2)).then(
    ({ code, out }) => {
      (code ? console.error : console.log)(out);
      process.exit(code);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
