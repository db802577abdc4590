import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { api, backend, registerUser, startServer, type TestServer } from '../test/helper.js';
import { claimIdSlot, type IdSlot } from './slot.js';

const log = pino({ level: 'silent' });
const redisUrl = process.env.TEST_REDIS_URL;
/** The 10 bits between the timestamp and the sequence. */
const bitsOf = (id: string) => Number((BigInt(id) >> 12n) & 1023n);

describe('snowflake id slots', () => {
  it('WORKER_ID / PROCESS_ID are used as given', async () => {
    const s = await claimIdSlot({ workerId: 3, processId: 7, idSlotFixed: true, redisPrefix: 'x' }, log);
    expect([s.workerId, s.processId]).toEqual([3, 7]);
  });

  it('without Redis, each server built in one process gets other bits than the last', async () => {
    const cfg = { workerId: 0, processId: 5, idSlotFixed: false, redisPrefix: 'x' };
    const a = await claimIdSlot(cfg, log);
    const b = await claimIdSlot(cfg, log);
    expect(a.workerId * 32 + a.processId).not.toBe(b.workerId * 32 + b.processId);
  });

  describe.runIf(redisUrl)('with Redis', () => {
    const prefix = `test-slots-${randomBytes(4).toString('hex')}`;
    const cfg = { workerId: 0, processId: 0, idSlotFixed: false, redisUrl, redisPrefix: prefix };
    const redis = new Redis(redisUrl as string);
    afterAll(() => redis.quit());

    it('leases a different slot to every instance, and a released slot is free again', async () => {
      const slots: IdSlot[] = [];
      for (let i = 0; i < 40; i++) slots.push(await claimIdSlot(cfg, log));
      const taken = slots.map((s) => s.workerId * 32 + s.processId);
      expect(new Set(taken).size).toBe(40);
      expect(await redis.keys(`${prefix}:id-slot:*`)).toHaveLength(40);
      const ttl = await redis.pttl(`${prefix}:id-slot:${taken[0]}`);
      expect(ttl).toBeGreaterThan(0);
      for (const s of slots) await s.release();
      expect(await redis.keys(`${prefix}:id-slot:*`)).toEqual([]);
    });
  });
});

// Two instances on one database (PostgreSQL, with Redis when the run has one): ids never collide.
describe.runIf(backend === 'postgres')('two instances sharing the database', () => {
  let a: TestServer;
  let b: TestServer;
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('mint ids with different instance bits, and concurrent sends on both all succeed', async () => {
    // Without rate limits: one user sends the 200 messages.
    a = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
    b = await startServer({ shareWith: a });
    expect(bitsOf(a.app.ctx.ids.next())).not.toBe(bitsOf(b.app.ctx.ids.next()));
    const owner = await registerUser(a);
    const guild = (await api(a, 'POST', '/guilds', { token: owner.token, body: { name: 'Ids' } })).body;
    const channel = (await api(a, 'GET', `/guilds/${guild.id}/channels`, { token: owner.token })).body.find(
      (c: { type: number }) => c.type === 0,
    );
    const burst = (s: TestServer, tag: string) =>
      Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          api(s, 'POST', `/channels/${channel.id}/messages`, { token: owner.token, body: { content: `${tag}-${i}` } }),
        ),
      );
    const [ra, rb] = await Promise.all([burst(a, 'a'), burst(b, 'b')]);
    expect([...ra, ...rb].map((r) => r.status).filter((st) => st !== 200)).toEqual([]);
  });
});
