import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectUser, createGuildWith, GatewayClient } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestUser } from '../test/helper.js';

/**
 * A service restart under load: the server process gets SIGTERM while clients are connected and
 * two of them keep sending; it is started again on the same port. No message whose send was
 * acknowledged is lost, and every client RESUMEs on the new process without missing a dispatch.
 * Resuming across a restart needs the sessions and the event log outside the process: Redis.
 */
const shared = backend === 'postgres' && !!process.env.TEST_REDIS_URL;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** The built server as its own process (what npm start runs). */
async function spawnServer(env: Record<string, string>, port: number): Promise<{ proc: ChildProcess; out: () => string }> {
  const proc = spawn(process.execPath, [join(root, 'server/dist/main.js')], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', TLS: 'off', MDNS: 'off', LIVEKIT_MODE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const started = Date.now();
  while (
    !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() - started > 90_000 || proc.exitCode !== null) throw new Error(`server did not start: ${out}`);
    await sleep(100);
  }
  return { proc, out: () => out };
}

describe.runIf(shared)('SIGTERM under load', () => {
  it('loses no acknowledged message, and every client resumes on the restarted server without missing an event', async () => {
    const setup = await startServer({ env: { RATE_LIMIT_DISABLED: '1', ARGON2_MEMORY_KIB: '1024' } });
    const users: TestUser[] = [];
    for (let i = 0; i < 6; i++) users.push(await registerUser(setup));
    const channelId = (await createGuildWith(setup, users[0], users.slice(1))).general.id;
    await setup.close(); // its database, Redis prefix and DATA_DIR (JWT secret) carry on
    const port = await freePort();
    const server = { url: `http://127.0.0.1:${port}` };
    let first = await spawnServer(setup.env, port);
    const clients = await Promise.all(users.map((u) => connectUser(server, u)));

    // Two senders; a send is retried with the same nonce until acknowledged (what a client does).
    const acked: string[] = [];
    let stop = false;
    const sender = async (u: TestUser, tag: string) => {
      for (let i = 0; !stop || i < 25; i++) {
        const content = `${tag} ${i}`;
        for (;;) {
          const r = await api(server, 'POST', `/channels/${channelId}/messages`, {
            token: u.token,
            body: { content, nonce: `${tag}-${i}` },
          }).catch(() => null);
          if (r?.status === 200) break;
          await sleep(50);
        }
        acked.push(content);
        if (i >= 60) break;
      }
    };
    const senders = Promise.all([sender(users[0], 'alpha'), sender(users[1], 'beta')]);
    while (acked.length < 10) await sleep(20);

    const t0 = Date.now();
    const exited = new Promise<number | null>((r) => first.proc.on('exit', (code) => r(code)));
    first.proc.kill('SIGTERM');
    expect(await exited, first.out()).toBe(0);
    const stopMs = Date.now() - t0;
    expect(stopMs).toBeLessThan(10_000);
    for (const c of clients) {
      expect((await c.closed).code).toBe(4000);
      expect(c.frames.some((f) => f.op === 7)).toBe(true);
    }

    first = await spawnServer(setup.env, port);
    const resumed = await Promise.all(
      clients.map(async (c, i) => {
        const r = await GatewayClient.connect(server);
        await r.waitFor((f) => f.op === 10);
        r.send(6, { token: users[i].token, session_id: c.sessionId, seq: c.seq });
        await r.dispatch('RESUMED', () => true, 30_000);
        return { before: c, after: r };
      }),
    );
    stop = true;
    await senders;

    // Every acknowledged message is stored, once.
    const history = await api(server, 'GET', `/channels/${channelId}/messages?limit=100`, { token: users[2].token });
    const stored = history.body.map((m: { content: string }) => m.content).filter((c: string) => /^(alpha|beta) /.test(c));
    expect([...stored].sort()).toEqual([...acked].sort());
    // Every client saw every one of them exactly once, with gapless sequence numbers across the restart.
    const last = acked.at(-1);
    for (const { before, after } of resumed) {
      await after.dispatch('MESSAGE_CREATE', (d) => d.content === last, 20_000);
      const seen = [...before.frames, ...after.frames].filter((f) => f.t === 'MESSAGE_CREATE').map((f) => f.d.content as string);
      expect([...seen].sort()).toEqual([...acked].sort());
      const seqs = [...before.dispatches(), ...after.dispatches()].map((f) => f.s);
      expect(seqs).toEqual([...seqs.keys()].map((i) => i + 1));
      after.close(1000);
    }
    first.proc.kill('SIGTERM');
    console.log(
      `SIGTERM under load: ${acked.length} acknowledged messages, server stopped in ${stopMs} ms, ${clients.length} clients resumed`,
    );
  });
});
