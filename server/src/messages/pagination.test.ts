import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createGuild, createTextChannel, type TestGuild } from '../test/messages-fixtures.js';
import { insertMessagesBatch } from './store.js';

const TOTAL = 10_000;
let server: TestServer;
let g: TestGuild;
let channelId: string;
/** Seeded ids, oldest first. */
const ids: string[] = [];

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
  channelId = await createTextChannel(server, g.guildId, 'history');
  const rows = Array.from({ length: TOTAL }, (_, i) => {
    const id = server.app.ctx.ids.next();
    ids.push(id);
    return { id, channelId, guildId: g.guildId, authorId: g.owner.id, content: `message ${i}` };
  });
  await insertMessagesBatch(server.app.ctx.db, rows);
}, 60_000);
afterAll(() => server?.close());

const page = (query: string) => api(server, 'GET', `/channels/${channelId}/messages?${query}`, { token: g.owner.token });
const newestFirst = () => [...ids].reverse();

describe('GET /channels/:id/messages on 10,000 messages', () => {
  it('walking `before` from the newest sees every message exactly once, newest first', async () => {
    const seen: string[] = [];
    let res = await page('limit=100');
    while (res.body.length) {
      expect(res.status).toBe(200);
      seen.push(...res.body.map((m: { id: string }) => m.id));
      res = await page(`limit=100&before=${seen[seen.length - 1]}`);
    }
    expect(seen).toEqual(newestFirst());
    expect(seen.length).toBe(TOTAL);
  }, 60_000);

  it('walking `after` from the oldest agrees (each page newest first)', async () => {
    const seen: string[] = [];
    let cursor = '0';
    for (;;) {
      const res = await page(`limit=100&after=${cursor}`);
      if (!res.body.length) break;
      const pageIds = res.body.map((m: { id: string }) => m.id);
      expect(pageIds).toEqual([...pageIds].sort((a: string, b: string) => (BigInt(b) > BigInt(a) ? 1 : -1)));
      seen.push(...pageIds.reverse());
      cursor = seen[seen.length - 1];
    }
    expect(seen).toEqual(ids);
  }, 60_000);

  it('`around` returns the message and its neighbours, consistent with before/after', async () => {
    for (const i of [0, 1, 4999, 5000, TOTAL - 2, TOTAL - 1]) {
      const res = await page(`limit=100&around=${ids[i]}`);
      const got = res.body.map((m: { id: string }) => m.id);
      const newer = ids.slice(i, i + 50);
      const older = ids.slice(Math.max(0, i - (100 - newer.length)), i);
      expect(got).toEqual([...older, ...newer].reverse());
      expect(got).toContain(ids[i]);
      if (i > 0 && i < TOTAL - 1) {
        const before = await page(`limit=${older.length}&before=${ids[i]}`);
        expect(before.body.map((m: { id: string }) => m.id)).toEqual(got.slice(newer.length));
      }
    }
    const small = await page(`limit=3&around=${ids[5000]}`);
    expect(small.body.map((m: { id: string }) => m.id)).toEqual([ids[5001], ids[5000], ids[4999]]);
  });

  it('enforces limits and cursor rules', async () => {
    expect((await page('')).body).toHaveLength(50);
    expect((await page('limit=1')).body.map((m: { id: string }) => m.id)).toEqual([ids[TOTAL - 1]]);
    for (const bad of [
      'limit=0',
      'limit=101',
      'limit=-5',
      'limit=abc',
      'before=abc',
      'after=1.5',
      `before=${ids[5]}&after=${ids[1]}`,
      'around=99999999999999999999',
    ]) {
      const res = await page(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.code, bad).toBe(50035);
    }
    expect((await page(`before=${ids[0]}`)).body).toEqual([]);
    expect((await page(`after=${ids[TOTAL - 1]}`)).body).toEqual([]);
  });
});
