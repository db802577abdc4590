import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, uniqueName } from '../test/helper.js';
import { WorkQueue } from './work-queue.js';

/** X-Forwarded-For trust, the per-username lockout, and the Argon2 queue under a login flood. */
const from = (ip: string) => ({ 'x-forwarded-for': ip });
const login = (server: TestServer, username: string, password: string, ip?: string) =>
  api(server, 'POST', '/auth/login', { body: { username, password }, headers: ip ? from(ip) : {} });

describe('X-Forwarded-For', () => {
  let untrusting: TestServer;
  let trusting: TestServer;
  beforeAll(async () => {
    untrusting = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    trusting = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1/8, ::1' } });
  });
  afterAll(async () => {
    await untrusting?.close();
    await trusting?.close();
  });

  it('is ignored from peers not in TRUST_PROXY: rotating it does not escape the per-address limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await api(untrusting, 'POST', '/auth/register', {
        body: { username: uniqueName('xff'), password: 'long enough 123' },
        headers: from(`198.51.100.${i + 1}`),
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('is believed from a trusted proxy: each forwarded address has its own limit', async () => {
    const rotating: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await api(trusting, 'POST', '/auth/register', {
        body: { username: uniqueName('xff'), password: 'long enough 123' },
        headers: from(`198.51.100.${i + 1}`),
      });
      rotating.push(r.status);
    }
    expect(rotating).toEqual([201, 201, 201, 201]);
    const same: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await api(trusting, 'POST', '/auth/register', {
        body: { username: uniqueName('xff'), password: 'long enough 123' },
        headers: from('198.51.100.200'),
      });
      same.push(r.status);
    }
    expect(same).toEqual([201, 201, 201, 429]);
  });

  it('a stranger guessing cannot lock the real user out of an address they used before', async () => {
    const u = await registerUser(trusting);
    const home = '203.0.113.7';
    expect((await login(trusting, u.username, u.password, home)).status).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 3; i++) guesses.push((await login(trusting, u.username, `wrong guess ${i}`, `198.51.100.${50 + i}`)).status);
    // The username's budget (3) counts attempts from addresses not yet known: the first login from
    // home (unknown then) and two guesses use it up.
    expect(guesses).toEqual([400, 400, 429]);
    expect((await login(trusting, u.username, u.password, '198.51.100.99')).status).toBe(429);
    // The real user, from home, still gets in; and more than once.
    expect((await login(trusting, u.username, u.password, home)).status).toBe(200);
    expect((await login(trusting, u.username, u.password, home)).status).toBe(200);
  });
});

describe('Argon2 work queue', () => {
  it('runs at most `concurrency` jobs, queues `maxQueued`, refuses the rest with 503 and drains in order', async () => {
    const q = new WorkQueue(1, 2);
    const gates: Array<() => void> = [];
    const order: number[] = [];
    const jobs = [0, 1, 2, 3, 4].map((i) =>
      q
        .run(
          () =>
            new Promise<number>((resolve) => {
              order.push(i);
              gates.push(() => resolve(i));
            }),
        )
        .then(
          (v) => ({ ok: v }),
          (err) => ({ err: (err as { status?: number }).status }),
        ),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([0]);
    expect(q.queued).toBe(2);
    for (let n = 0; n < 3; n++) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await Promise.all(jobs)).toEqual([{ ok: 0 }, { ok: 1 }, { ok: 2 }, { err: 503 }, { err: 503 }]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('a login flood gets 503s from the bounded queue while another user is served', { timeout: 120_000 }, async () => {
    const server = await startServer({ env: { ARGON2_CONCURRENCY: '1', ARGON2_QUEUE: '2', RATE_LIMIT_DISABLED: '1' } });
    try {
      const victim = await registerUser(server);
      const bystander = await registerUser(server);
      const flood = Array.from({ length: 40 }, (_, i) => login(server, victim.username, `flood ${i}`));
      const meanwhile = await api(server, 'GET', '/users/@me', { token: bystander.token });
      expect(meanwhile.status).toBe(200);
      const statuses = (await Promise.all(flood)).map((r) => r.status);
      expect(statuses.every((s) => s === 400 || s === 503)).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      // After the flood the real login works.
      expect((await login(server, victim.username, victim.password)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
