import { resolve } from 'node:path';

/** Scheduled backups: off unless BACKUP_DIR is set. */
export interface BackupConfig {
  dir?: string;
  everyHours: number;
  keep: number;
}

export function loadBackupConfig(env: Record<string, string | undefined>): BackupConfig {
  const num = (name: string, fallback: number) => {
    const v = env[name] ? Number(env[name]) : fallback;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${env[name]}"`);
    return v;
  };
  return {
    dir: env.BACKUP_DIR ? resolve(env.BACKUP_DIR) : undefined,
    everyHours: num('BACKUP_EVERY_HOURS', 24),
    keep: Math.round(num('BACKUP_KEEP', 7)),
  };
}
