import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('npm start', () => {
  it('prints the URL, serves /healthz, and exits cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-start-'));
    const port = await freePort();
    const started = Date.now();
    // What `npm start` runs; spawned directly so the signal reaches the script, not npm's wrapper.
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      let healthy = false;
      // A fresh data dir: PGlite's initdb and every migration, slow on a loaded 2-core machine.
      while (!healthy && Date.now() - started < 150_000) {
        await new Promise((r) => setTimeout(r, 100));
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      }
      expect(healthy, out).toBe(true);
      expect(out).toContain(`Retrocast is running at http://127.0.0.1:${port}`);
      console.log(`npm start → /healthz 200 in ${Date.now() - started} ms`);
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone; // PGlite may still be writing its data dir until the process is gone
      }
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
