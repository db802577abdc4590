import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, backend, registerUser, startServer } from '../test/helper.js';

/** PGlite only: with DATABASE_URL, instances share DATA_DIR on purpose (several instances, one server). */
describe.runIf(backend === 'pglite')('DATA_DIR lock', () => {
  it('refuses a second server on a data dir in use, naming the first', async () => {
    const first = await startServer();
    try {
      const lock = JSON.parse(readFileSync(join(first.dataDir, 'retrocast.lock'), 'utf8'));
      expect(lock.pid).toBe(process.pid);
      await expect(startServer({ dataDir: first.dataDir })).rejects.toThrow(
        new RegExp(`DATA_DIR .* is in use by another Retrocast server \\(pid ${process.pid}`),
      );
      // The refused start changed nothing: the first server still serves and still holds the lock.
      expect((await registerUser(first)).id).toBeTruthy();
      expect(existsSync(join(first.dataDir, 'retrocast.lock'))).toBe(true);
    } finally {
      await first.close();
    }
    expect(existsSync(join(first.dataDir, 'retrocast.lock'))).toBe(false);
  });

  it('refuses while the process named in the lock lives, and takes a stale lock over once it is gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-lock-'));
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const lockFile = join(dataDir, 'retrocast.lock');
    writeFileSync(lockFile, JSON.stringify({ pid: other.pid, host: hostname(), started: new Date().toISOString() }));
    try {
      await expect(startServer({ dataDir })).rejects.toThrow(new RegExp(`in use by another Retrocast server \\(pid ${other.pid}`));
      const exited = new Promise((r) => other.once('exit', r));
      other.kill('SIGKILL');
      await exited;
      const server = await startServer({ dataDir });
      try {
        expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
        expect((await api(server, 'GET', '/healthz')).status).toBe(200);
      } finally {
        await server.close();
      }
    } finally {
      other.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
