import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuild, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { flushLastMessages } from './last-message.js';

/**
 * Database round trips per hot-path request, counted at the driver (every statement the server
 * sends, BEGIN and COMMIT included, on either backend). The server runs in this process, so its
 * drivers are these very classes. Only this file's server counts: test files share worker
 * processes, and another file's server (its presence timers, say) may still run a statement.
 */
let counting = false;
/** The statements counted, to show in a failure. */
let statements: string[] = [];
/** Whether a PGlite instance or pg client is this file's server's (set once it has started). */
let ours: (client: unknown) => boolean = () => false;
const tick = (client: unknown, sql?: unknown) => {
  if (!counting || !ours(client)) return;
  statements.push(String(typeof sql === 'object' && sql ? (sql as { text?: string }).text : sql).slice(0, 120));
};
type Fn = (...args: unknown[]) => unknown;
function instrument() {
  const clientQuery = pg.Client.prototype.query as Fn;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    tick(this, args[0]);
    return clientQuery.apply(this, args);
  } as never;
  const proto = PGlite.prototype as unknown as Record<string, Fn>;
  for (const name of ['query', 'exec']) {
    const original = proto[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      tick(this, args[0]);
      return original.apply(this, args);
    };
  }
  const transaction = proto.transaction;
  proto.transaction = function (this: unknown, callback: unknown) {
    const client = this;
    tick(client, 'BEGIN');
    tick(client, 'COMMIT');
    const counted = (tx: Record<string, Fn>) =>
      new Proxy(tx, {
        get(target, key) {
          const value = Reflect.get(target, key);
          if ((key === 'query' || key === 'exec' || key === 'sql') && typeof value === 'function')
            return (...args: unknown[]) => {
              tick(client, args[0]);
              return value.apply(target, args);
            };
          return value;
        },
      });
    return transaction.call(this, (tx: Record<string, Fn>) => (callback as Fn)(counted(tx)));
  };
}

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let g: TestGuild;

beforeAll(async () => {
  instrument();
  server = await startServer();
  // drizzle's $client: the PGlite instance, or the pg Pool whose clients run the statements.
  const client = (server.app.ctx.db as unknown as { $client: { _clients?: unknown[] } }).$client;
  ours = (c) => c === client || (client._clients?.includes(c) ?? false);
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
  g = await createGuild(server, owner, 'Round trips');
  await join(server, g, member);
});
afterAll(() => server?.close());

/** The batched write-behind of channels.last_message_id (messages/last-message.ts): one per batch, not per request. */
/** (A prepared statement: PGlite sees PREPARE once, then EXECUTE.) */
const isWriteBehind = (sql: string) => /^(update channels set last_message_id|(prepare|execute) write_last_messages\b)/.test(sql);

/** Resolves once the server has sent no statement for 300 ms: background work of earlier requests is done. */
async function quiet() {
  const was = counting;
  counting = true;
  let seen = -1;
  while (seen !== statements.length) {
    seen = statements.length;
    await new Promise((r) => setTimeout(r, 300));
  }
  counting = was;
}

/**
 * Statements of one request, and (`after`) the write-behind of last_message_id, whenever its
 * 10 ms timer fires: during the request on a slow machine, or just after it.
 */
async function measure(method: string, path: string, token: string, body?: unknown) {
  // The previous request's write-behind, if its timer has not fired yet on a busy machine, is not this one's.
  await flushLastMessages(server.app.ctx.db);
  statements = [];
  counting = true;
  const res = await api(server, method, path, { token, body });
  const during = [...statements];
  await new Promise((r) => setTimeout(r, 100));
  counting = false;
  const own = during.filter((sql) => !isWriteBehind(sql));
  console.log(`${method} ${path}: ${own.length}\n  ${own.join('\n  ')}`);
  return { res, trips: own.length, after: statements.filter(isWriteBehind).length };
}

describe('database round trips on the hot path', () => {
  it('a plain guild send is one statement; edit, react, ack, delete and a history page stay small', async () => {
    // The owner alone in a guild: the notification worker has nobody to notify (see the next test).
    const solo = await createGuild(server, owner, 'Solo');
    const channel = `/channels/${solo.generalId}`;
    // Warm: the guild state and the author are loaded once.
    expect((await api(server, 'POST', `${channel}/messages`, { token: owner.token, body: { content: 'warm' } })).status).toBe(200);

    const send = await measure('POST', `${channel}/messages`, owner.token, { content: 'hello', nonce: 'n-1' });
    expect(send.res.status).toBe(200);
    expect(send.trips).toBe(1);
    expect(send.after).toBeLessThanOrEqual(1);
    const retry = await measure('POST', `${channel}/messages`, owner.token, { content: 'hello', nonce: 'n-1' });
    expect(retry.res.body.id).toBe(send.res.body.id);
    // The insert that found the nonce taken, the lookup of the message holding it, and its hydration.
    expect(retry.trips).toBeLessThanOrEqual(4);

    const id = send.res.body.id as string;
    const edit = await measure('PATCH', `${channel}/messages/${id}`, owner.token, { content: 'edited' });
    expect(edit.res.status).toBe(200);
    // The first reaction prepares its statement (PGlite: one PREPARE per database); then message + one statement.
    expect(
      (await api(server, 'PUT', `${channel}/messages/${id}/reactions/${encodeURIComponent('👀')}/@me`, { token: owner.token })).status,
    ).toBe(204);
    const react = await measure('PUT', `${channel}/messages/${id}/reactions/${encodeURIComponent('👍')}/@me`, owner.token);
    expect(react.res.status).toBe(204);
    const ack = await measure('POST', `${channel}/messages/${id}/ack`, owner.token, {});
    expect(ack.res.status).toBe(200);
    // The first page of a kind prepares its statement (PGlite: one PREPARE per database); then one round trip.
    expect((await api(server, 'GET', `${channel}/messages?limit=50`, { token: owner.token })).status).toBe(200);
    const page = await measure('GET', `${channel}/messages?limit=50`, owner.token);
    expect(page.res.status).toBe(200);
    const del = await measure('DELETE', `${channel}/messages/${id}`, owner.token);
    expect(del.res.status).toBe(204);
    console.log(
      `round trips: send ${send.trips} (+${send.after} write-behind), nonce retry ${retry.trips}, edit ${edit.trips}, react ${react.trips}, ack ${ack.trips}, history page ${page.trips}, delete ${del.trips}`,
    );
    expect(edit.trips).toBeLessThanOrEqual(3);
    expect(react.trips).toBeLessThanOrEqual(2);
    expect(ack.trips).toBeLessThanOrEqual(3);
    expect(page.trips).toBe(1);
    expect(del.trips).toBeLessThanOrEqual(3);
  });

  it('with others in the guild (no push devices), the notification worker adds one per message', async () => {
    const channel = `/channels/${g.generalId}`;
    expect((await api(server, 'POST', `${channel}/messages`, { token: member.token, body: { content: 'warm' } })).status).toBe(200);
    await quiet(); // the warm-up's notification work and write-behind are done
    statements = [];
    counting = true;
    const res = await api(server, 'POST', `${channel}/messages`, { token: member.token, body: { content: 'hello' } });
    expect(res.status).toBe(200);
    await quiet(); // this message's notification work, after the response
    counting = false;
    const own = statements.filter((sql) => !isWriteBehind(sql));
    console.log(`round trips: send with a recipient to notify, worker included: ${own.length}\n  ${own.join('\n  ')}`);
    // The send, and the push worker asking whether the offline member has a device (no settings or blocks).
    expect(own.length).toBe(1 + 1);
    expect(statements.filter(isWriteBehind).length).toBeLessThanOrEqual(1);
  });
});
