import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Data dirs locked by this process (a second server in the same process is refused as well). */
const heldHere = new Set<string>();

export interface DataDirLock {
  file: string;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/**
 * One server per embedded database: PGlite is a single-process database, and two servers writing
 * the same files lose acknowledged writes. `DATA_DIR/retrocast.lock` (created exclusively) holds
 * the owner's pid; a lock whose process is gone (kill -9, power loss) is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, 'retrocast.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
      closeSync(fd);
      heldHere.add(file);
      return {
        file,
        release() {
          if (!heldHere.delete(file)) return;
          if (readLock(file)?.pid === process.pid) unlinkSync(file);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const other = readLock(file);
    const otherHost = other && other.host !== hostname();
    const busy = other && (heldHere.has(file) || (other.pid !== process.pid && (otherHost || alive(other.pid))));
    if (busy) {
      const where = otherHost ? ` on host ${other.host}` : '';
      throw new Error(
        `DATA_DIR ${dir} is in use by another Retrocast server (pid ${other.pid}${where}, since ${other.started}). ` +
          `Stop that server first, or give this one its own DATA_DIR. (If that process is gone, delete ${file}.)`,
      );
    }
    // Stale (its process is gone) or unreadable: take it over.
    try {
      unlinkSync(file);
    } catch {}
  }
  throw new Error(`could not lock DATA_DIR ${dir} (${file})`);
}
