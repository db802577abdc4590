import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

const NAME = /^retrocast-\d{8}-\d{6}\.tar\.gz$/;

/** `retrocast-20261202-013000.tar.gz` (UTC), so names sort by age. */
export const backupName = (d: Date) => `retrocast-${d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}.tar.gz`;

/** One scheduled backup, then the oldest beyond BACKUP_KEEP are deleted. Returns the new file. */
export async function doScheduledBackup(ctx: AppContext, dir: string, keep: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, backupName(new Date()));
  // The backup code (tar-stream) loads when a backup runs, not at every start.
  const { createBackup } = await import('./backup.js');
  await createBackup(ctx, file);
  const old = (await readdir(dir)).filter((n) => NAME.test(n)).sort();
  for (const name of old.slice(0, Math.max(0, old.length - keep))) await rm(join(dir, name), { force: true });
  return file;
}

/**
 * BACKUP_DIR set: a backup every BACKUP_EVERY_HOURS (first one an interval after start), keeping
 * the newest BACKUP_KEEP. With several instances, set it on one of them.
 */
export function installScheduledBackups(app: FastifyInstance) {
  const { dir, everyHours, keep } = app.ctx.config.backup;
  if (!dir) return;
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = doScheduledBackup(app.ctx, dir, keep)
      .then((file) => app.log.info({ file }, 'scheduled backup written'))
      .catch((err) => app.log.error({ err }, 'scheduled backup failed'))
      .finally(() => (running = undefined));
  }, everyHours * 3600_000);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
