import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient } from '../test/gateway.js';
import { registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

/** IDENTIFY hygiene: intents range, the session start limit, and sockets that never identify. */
let server: TestServer;
let u: TestUser;

beforeAll(async () => {
  server = await startServer({ env: { IDENTIFY_TIMEOUT_MS: '1500', IDENTIFY_MAX_CONCURRENCY: '2' } });
  u = await registerUser(server);
});
afterAll(() => server.close());

async function hello() {
  const c = await GatewayClient.connect(server);
  await c.waitFor((f) => f.op === 10);
  return c;
}

describe('IDENTIFY', () => {
  it('closes 4013 for intents at or above 2^32 (they would wrap to valid bits)', async () => {
    for (const intents of [2 ** 32, 2 ** 32 + 1, 2 ** 40]) {
      const c = await hello();
      c.send(2, { token: u.token, properties: {}, intents });
      expect((await c.closed).code).toBe(4013);
    }
  });

  // The three below mostly wait (the 5 s window, the 1.5 s timeout), so they wait at the same time;
  // each identifies its own user, as the window is counted per account.
  it.concurrent('answers op 9 past max_concurrency IDENTIFYs per 5 s, and the session start works again after', async ({ expect }) => {
    const fresh = await registerUser(server);
    const ok: GatewayClient[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await hello();
      await c.identify(fresh.token);
      ok.push(c);
    }
    const third = await hello();
    third.send(2, { token: fresh.token, properties: {} });
    expect((await third.waitFor((f) => f.op === 9)).d).toBe(false);
    expect(third.dispatches('READY')).toEqual([]);
    third.ws.close();
    await new Promise((r) => setTimeout(r, 5200));
    const later = await hello();
    await later.identify(fresh.token);
    for (const c of [...ok, later]) c.ws.close();
  });

  it.concurrent('closes a socket that sends no IDENTIFY within IDENTIFY_TIMEOUT_MS (4003)', async ({ expect }) => {
    const c = await hello();
    const closed = await c.closed;
    expect(closed.code).toBe(4003);
  });

  it.concurrent('keeps an identified socket past the timeout', async ({ expect }) => {
    const own = await registerUser(server);
    const c = await hello();
    await c.identify(own.token);
    await new Promise((r) => setTimeout(r, 2500));
    expect(c.closeCode).toBeUndefined();
    c.ws.close();
  });
});
