import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start as a service', () => {
  it('kill -TERM <npm pid> stops the server and its LiveKit (no orphan keeps serving)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-npmstart-'));
    const port = await freePort();
    const lk = await freePort();
    // Through npm itself, as a service manager runs it; LiveKit (when built) on ports of its own.
    const npm = spawn('npm', ['start'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        TLS: 'off',
        MDNS: 'off',
        LIVEKIT_PORT: String(lk),
        LIVEKIT_TCP_PORT: String(await freePort()),
        LIVEKIT_UDP_PORT: String(await freePort()),
        LIVEKIT_TURN: 'off',
        LIVEKIT_MODE: 'auto',
        LIVEKIT_NODE_IP: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (d) => (out += d));
    npm.stderr.on('data', (d) => (out += d));
    try {
      let healthy = false;
      for (let i = 0; i < 1200 && !healthy; i++) {
        await new Promise((r) => setTimeout(r, 100));
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
      }
      expect(healthy, out).toBe(true);
      const livekitPidFile = join(dataDir, 'livekit.pid');
      const livekitPid = existsSync(livekitPidFile) ? Number(readFileSync(livekitPidFile, 'utf8')) : undefined;
      const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      const t0 = Date.now();
      npm.kill('SIGTERM'); // npm's own pid, not the process group
      await exited;
      // The server must be gone too, within the 10 s it promises, not left serving under pid 1.
      let down = false;
      while (!down && Date.now() - t0 < 15_000) {
        down = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => false,
          () => true,
        );
        if (!down) await new Promise((r) => setTimeout(r, 200));
      }
      expect(down, out).toBe(true);
      if (livekitPid) {
        while (alive(livekitPid) && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 200));
        expect(alive(livekitPid)).toBe(false);
      }
      console.log(`npm start: SIGTERM to npm → server down in ${Date.now() - t0} ms (LiveKit ${livekitPid ? 'stopped' : 'not built'})`);
    } finally {
      npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
