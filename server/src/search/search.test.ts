import { Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, createTextChannel, send, setOverwrite, type TestGuild } from '../test/messages-fixtures.js';

let server: TestServer;
let g: TestGuild;
let alice: TestUser;
let bob: TestUser;
let secret: string;
let noHistory: string;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
  alice = await addMember(server, g.guildId);
  bob = await addMember(server, g.guildId);
  secret = await createTextChannel(server, g.guildId, 'secret');
  noHistory = await createTextChannel(server, g.guildId, 'no-history');
  await setOverwrite(server, secret, bob.id, 1, 0n, Permissions.VIEW_CHANNEL);
  await setOverwrite(server, noHistory, bob.id, 1, 0n, Permissions.READ_MESSAGE_HISTORY);
  await send(server, alice, g.channelId, { content: 'the quick brown fox' });
  await send(server, bob, g.channelId, { content: 'a lazy brown dog' });
  await send(server, alice, g.channelId, { content: `see https://example.com for <@${bob.id}>` });
  await send(server, alice, secret, { content: 'brown secret plans' });
  await send(server, alice, noHistory, { content: 'brown unread history' });
});
afterAll(() => server?.close());

const search = (user: TestUser, query: string) =>
  api(server, 'GET', `/guilds/${g.guildId}/messages/search?${query}`, { token: user.token });
const contents = (body: { messages: { content: string }[][] }) => body.messages.map(([m]) => m.content).sort();

describe('GET /guilds/:id/messages/search', () => {
  it('matches words (full-text), newest first, with total_results and Discord shape', async () => {
    const res = await search(alice, 'content=brown');
    expect(res.status).toBe(200);
    expect(res.body.total_results).toBe(4);
    expect(contents(res.body)).toEqual(['a lazy brown dog', 'brown secret plans', 'brown unread history', 'the quick brown fox']);
    expect(res.body.messages[0]).toHaveLength(1);
    expect(res.body.messages[0][0]).toMatchObject({ hit: true, guild_id: g.guildId, content: 'brown unread history' });
    expect((await search(alice, 'content=QUICK%20fox')).body.total_results).toBe(1);
    expect((await search(alice, 'content=fox%20dog')).body.total_results).toBe(0);
    expect((await search(alice, 'content=zebra')).body).toEqual({ total_results: 0, messages: [] });
    expect((await search(alice, 'content=br%00own')).body.code).toBe(50035); // NUL is refused, not stripped
    expect((await search(alice, `content=${encodeURIComponent("'&|!():* <>")}`)).status).toBe(200);
  });

  it('filters by author, channel, mentions, has and paginates with offset', async () => {
    expect(contents((await search(alice, `content=brown&author_id=${bob.id}`)).body)).toEqual(['a lazy brown dog']);
    expect((await search(alice, `content=brown&channel_id=${secret}`)).body.total_results).toBe(1);
    expect(contents((await search(alice, `mentions=${bob.id}`)).body)).toEqual([`see https://example.com for <@${bob.id}>`]);
    expect((await search(alice, 'has=link')).body.total_results).toBe(1);
    expect((await search(alice, 'has=file')).body.total_results).toBe(0);
    const all = (await search(alice, 'content=brown')).body.messages.map(([m]: { id: string }[]) => m.id);
    expect((await search(alice, `content=brown&before=${all[1]}`)).body.total_results).toBe(2);
    expect((await search(alice, `content=brown&max_id=${all[1]}`)).body.total_results).toBe(2);
    expect((await search(alice, `content=brown&after=${all[1]}&min_id=${all[3]}`)).body.total_results).toBe(1);
    const p1 = await search(alice, 'content=brown&limit=2');
    const p2 = await search(alice, 'content=brown&limit=2&offset=2');
    expect(p1.body.total_results).toBe(4);
    expect(p2.body.messages).toHaveLength(2);
    expect([...contents(p1.body), ...contents(p2.body)].sort()).toEqual(contents((await search(alice, 'content=brown')).body));
  });

  it('never returns hits from channels the caller cannot view or read history in', async () => {
    const res = await search(bob, 'content=brown');
    expect(res.body.total_results).toBe(2);
    expect(contents(res.body)).toEqual(['a lazy brown dog', 'the quick brown fox']);
    expect((await search(bob, `content=brown&channel_id=${secret}`)).body).toEqual({ total_results: 0, messages: [] });
    expect((await search(bob, `channel_id=${noHistory}`)).body.total_results).toBe(0);
    expect((await search(bob, `author_id=${alice.id}`)).body.total_results).toBe(2);
  });

  it('rejects outsiders and bad input', async () => {
    const stranger = await registerUser(server);
    const out = await search(stranger, 'content=brown');
    expect(out.status).toBe(404);
    expect(out.body.code).toBe(10004);
    for (const bad of ['author_id=abc', 'has=video', 'offset=-1', 'limit=26', 'channel_id=99999999999999999999']) {
      const res = await search(alice, bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.code, bad).toBe(50035);
    }
    expect((await api(server, 'GET', '/guilds/99999999999999999999/messages/search', { token: alice.token })).body.code).toBe(50035);
  });
});
