import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectUser, createGuildWith, GatewayClient, inflateFrames } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import type { Connection } from './connection.js';

/**
 * Plain connections get their dispatches written straight to the socket, several per write when
 * they come in one event-loop turn (frame-writer.ts); zlib-stream connections go through `ws`.
 * Both must see every frame, in log order, with consecutive `s`.
 */
let server: TestServer;
let owner: TestUser;
let member: TestUser;
let channelId: string;

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  channelId = (await createGuildWith(server, owner, [member])).general.id;
});
afterAll(async () => {
  await server?.close();
});

type Frame = { op: number; t?: string; s?: number | null; d?: any };

/** A zlib-stream session: every frame so far, inflated from the whole stream. */
async function compressedSession(token: string) {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/gateway?v=10&encoding=json&compress=zlib-stream`);
  const chunks: Buffer[] = [];
  ws.on('message', (d: Buffer) => chunks.push(d));
  await new Promise((r) => ws.once('open', r));
  const frames = (): Frame[] => {
    const text = inflateFrames(chunks);
    return text ? text.split(/(?<=\})(?=\{"op":)/).map((t) => JSON.parse(t)) : [];
  };
  const until = async (pred: (fs: Frame[]) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!pred(frames())) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${frames().map((f) => f.t ?? f.op)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until((fs) => fs.some((f) => f.op === 10));
  ws.send(JSON.stringify({ op: 2, d: { token, properties: { os: 'linux', browser: 'test', device: 'test' } } }));
  await until((fs) => fs.some((f) => f.t === 'GUILD_CREATE'));
  return { ws, frames, until };
}

const post = (content: string) => api(server, 'POST', `/channels/${channelId}/messages`, { token: owner.token, body: { content } });

/** The dispatches' `s` run 1, 2, 3… with no gap or repeat. */
function expectConsecutive(frames: Frame[]) {
  const seqs = frames.filter((f) => f.op === 0).map((f) => f.s);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
}

describe('gateway write path', () => {
  it('a burst of messages reaches a plain and a zlib-stream session whole, in log order, with consecutive s', async () => {
    const plain = await connectUser(server, member);
    const zipped = await compressedSession(member.token);
    const n = 40;
    const sent = await Promise.all(Array.from({ length: n }, (_, i) => post(`burst ${i}`)));
    expect(sent.every((r) => r.status === 200)).toBe(true);
    await plain.waitFor(() => plain.dispatches('MESSAGE_CREATE').length === n);
    await zipped.until((fs) => fs.filter((f) => f.t === 'MESSAGE_CREATE').length === n);
    const order = (fs: Frame[]) => fs.filter((f) => f.t === 'MESSAGE_CREATE').map((f) => f.d.id);
    // Each session got every message once, and both in the same (log) order.
    expect(new Set(order(plain.frames)).size).toBe(n);
    expect(order(zipped.frames())).toEqual(order(plain.frames));
    expectConsecutive(plain.frames);
    expectConsecutive(zipped.frames());
    expect(plain.schemaErrors).toEqual([]);
    plain.close();
    zipped.ws.close();
  });

  it('a frame sent through ws right after a dispatch (heartbeat ACK, close) does not overtake it', async () => {
    const c = await connectUser(server, member);
    const session = server.app.gateway.sessions.get(c.sessionId);
    expect(session).toBeDefined();
    const conn = session?.socket as Connection;
    // READY's GUILD_CREATEs may reach the client before the session counts as ready (dispatches wait till then).
    while (!session?.ready) await new Promise((r) => setTimeout(r, 10));
    const from = c.frames.length;
    // All in one turn: the dispatch waits for the end of the turn, op 11 would go out at once.
    server.app.gateway.sendTo(session as NonNullable<typeof session>, 'RESUMED', '{}');
    conn.sendOp(11, null);
    conn.close(4000, 'bye');
    await c.closed;
    const after = c.frames.slice(from).map((f) => f.t ?? f.op);
    // (Other heartbeat ACKs may come before, answering the client's own beats.)
    expect(after.slice(after.indexOf('RESUMED'))).toEqual(['RESUMED', 11]);
  });

  it('RESUME after a burst replays the missed frames with their numbers, then RESUMED', async () => {
    const c = await connectUser(server, member);
    await Promise.all(Array.from({ length: 10 }, (_, i) => post(`before ${i}`)));
    await c.waitFor(() => c.dispatches('MESSAGE_CREATE').length === 10);
    const seq = c.seq;
    c.drop();
    await Promise.all(Array.from({ length: 15 }, (_, i) => post(`missed ${i}`)));
    const r = await GatewayClient.connect(server);
    await r.waitFor((f) => f.op === 10);
    r.send(6, { token: member.token, session_id: c.sessionId, seq });
    await r.dispatch('RESUMED');
    const replayed = r.dispatches();
    expect(replayed.map((f) => f.s)).toEqual(Array.from({ length: 16 }, (_, i) => seq + 1 + i));
    expect(replayed.slice(0, 15).every((f) => f.t === 'MESSAGE_CREATE' && f.d.content.startsWith('missed '))).toBe(true);
    // Live frames continue the numbering on the new connection.
    await post('after');
    const live = await r.dispatch('MESSAGE_CREATE', (d) => d.content === 'after');
    expect(live.s).toBe(seq + 17);
    r.close();
  });
});
