import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guilds, messages } from '../db/schema.js';
import { api, type RequestOptions, startServer, type TestServer } from '../test/helper.js';
import { createGuild, type TestGuild } from '../test/messages-fixtures.js';

let server: TestServer;
let g: TestGuild;
beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
  g = await createGuild(server);
});
afterAll(() => server?.close());

const rows = async () => ({
  guilds: Number((await server.app.ctx.db.select({ n: count() }).from(guilds))[0].n),
  messages: Number((await server.app.ctx.db.select({ n: count() }).from(messages))[0].n),
});
const as = (opts: RequestOptions = {}) => ({ token: g.owner.token, ...opts });

/** Raw request for bodies `api()` cannot express (multipart by hand). */
async function raw(method: string, path: string, headers: Record<string, string>, body?: string | Buffer) {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${g.owner.token}`, ...headers }, body });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

const ABOVE_INT64 = '9223372036854775808';
const U64_MAX = '18446744073709551615';

describe('ids outside int64 are a 400 (or 404), never a 500', () => {
  type Case = [string, string, () => string, () => RequestOptions | undefined, number, number];
  const cases: Case[] = [
    ['path: just above int64', 'GET', () => `/guilds/${ABOVE_INT64}`, as, 400, 50035],
    ['path: u64 max', 'GET', () => `/channels/${U64_MAX}/messages`, as, 400, 50035],
    ['path: negative', 'GET', () => '/guilds/-1', as, 400, 50035],
    ['path: not a number', 'GET', () => '/users/12ab', as, 400, 50035],
    ['path: leading zeros', 'GET', () => '/guilds/007', as, 400, 50035],
    ['path: int64 max is just unknown', 'GET', () => '/guilds/9223372036854775807', as, 404, 10004],
    ['query: before above int64', 'GET', () => `/channels/${g.channelId}/messages?before=${U64_MAX}`, as, 400, 50035],
    ['query: search author above int64', 'GET', () => `/guilds/${g.guildId}/messages/search?author_id=${ABOVE_INT64}`, as, 400, 50035],
    ['body: DM recipient above int64', 'POST', () => '/users/@me/channels', () => as({ body: { recipient_id: U64_MAX } }), 400, 50035],
    [
      'body: reply to a message above int64',
      'POST',
      () => `/channels/${g.channelId}/messages`,
      () => as({ body: { content: 'x', message_reference: { message_id: ABOVE_INT64 } } }),
      400,
      50035,
    ],
    [
      'body: permissions above int64',
      'POST',
      () => `/guilds/${g.guildId}/roles`,
      () => as({ body: { name: 'r', permissions: U64_MAX } }),
      400,
      50035,
    ],
    [
      'body: bulk delete ids above int64',
      'POST',
      () => `/channels/${g.channelId}/messages/bulk-delete`,
      () => as({ body: { messages: [ABOVE_INT64, '1'] } }),
      400,
      50035,
    ],
    [
      'emoji path: custom emoji id above int64',
      'PUT',
      () => `/channels/${g.channelId}/messages/1/reactions/x:${U64_MAX}/@me`,
      as,
      404,
      10008,
    ],
    ['multipart send to a channel above int64', 'POST', () => `/channels/${ABOVE_INT64}/messages`, as, 400, 50035],
  ];
  it.each(cases)('%s', async (_label, method, path, opts, status, code) => {
    const res = await api(server, method, path(), opts());
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body).toMatchObject({ code, message: expect.any(String) });
  });

  it("names the field in Discord's words", async () => {
    const res = await api(server, 'GET', `/guilds/${ABOVE_INT64}`, as());
    expect(res.body.errors.guildId._errors[0]).toEqual({ code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' });
  });

  it('a custom reaction emoji above int64 is an Unknown Emoji', async () => {
    const sent = await api(server, 'POST', `/channels/${g.channelId}/messages`, as({ body: { content: 'react here' } }));
    const res = await api(server, 'PUT', `/channels/${g.channelId}/messages/${sent.body.id}/reactions/x:${U64_MAX}/@me`, as());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe(10014);
  });

  it('emoji and avatar images with an id above int64 are 404s', async () => {
    for (const path of [
      `/emojis/${U64_MAX}.png`,
      `/avatars/${U64_MAX}/${'a'.repeat(32)}.png`,
      `/icons/${ABOVE_INT64}/${'b'.repeat(32)}.png`,
    ]) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(404);
    }
  });

  it('a mention of an id above int64 is plain text', async () => {
    const res = await api(
      server,
      'POST',
      `/channels/${g.channelId}/messages`,
      as({ body: { content: `hi <@${U64_MAX}> <@&${ABOVE_INT64}>` } }),
    );
    expect(res.status).toBe(200);
    expect(res.body.mentions).toEqual([]);
  });
});

describe('NUL characters are refused with a 400 naming the field', () => {
  type Case = [string, string, () => string, () => RequestOptions, string];
  const cases: Case[] = [
    [
      'login (unauthenticated) username',
      'POST',
      () => '/auth/login',
      () => ({ body: { username: 'ali\u0000ce', password: 'whatever password' } }),
      'username',
    ],
    ['login password', 'POST', () => '/auth/login', () => ({ body: { username: 'alice', password: 'pass\u0000word' } }), 'password'],
    [
      'register username',
      'POST',
      () => '/auth/register',
      () => ({ body: { username: 'nul\u0000name', password: 'correct horse battery' } }),
      'username',
    ],
    ['guild name', 'POST', () => '/guilds', () => as({ body: { name: 'guild\u0000' } }), 'name'],
    ['message content', 'POST', () => `/channels/${g.channelId}/messages`, () => as({ body: { content: 'hello\u0000world' } }), 'content'],
    ['message nonce', 'POST', () => `/channels/${g.channelId}/messages`, () => as({ body: { content: 'x', nonce: 'n\u0000' } }), 'nonce'],
    ['channel topic', 'PATCH', () => `/channels/${g.channelId}`, () => as({ body: { topic: '\u0000' } }), 'topic'],
    ['search query', 'GET', () => `/guilds/${g.guildId}/messages/search?content=a%00b`, () => as(), 'content'],
    ['invite code', 'GET', () => '/invites/ab%00cd', () => as(), 'code'],
  ];
  it.each(cases)('%s', async (_label, method, path, opts, field) => {
    const before = await rows();
    const res = await api(server, method, path(), opts());
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe(50035);
    expect(res.body.errors?.[field], JSON.stringify(res.body)).toBeDefined();
    expect(await rows()).toEqual(before);
  });

  it('multipart payload_json with a NUL is a 400 and sends nothing', async () => {
    const before = await rows();
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'a\u0000b' }));
    form.append('files[0]', new Blob([Buffer.from('hello')]), 'a.txt');
    const res = await fetch(`${server.url}/api/v10/channels/${g.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.owner.token}` },
      body: form,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe(50035);
    expect((await rows()).messages).toBe(before.messages);
  });

  it('X-Audit-Log-Reason with %00 is stored without it', async () => {
    const res = await api(
      server,
      'PATCH',
      `/guilds/${g.guildId}`,
      as({ body: { name: 'Renamed' }, headers: { 'x-audit-log-reason': 'spam%00wave%0D%0Aforged: line' } }),
    );
    expect(res.status).toBe(200);
    const log = await api(server, 'GET', `/guilds/${g.guildId}/audit-logs?action_type=1`, as());
    expect(log.status).toBe(200);
    expect(log.body.audit_log_entries[0].reason).toBe('spam wave  forged: line');
  });
});

describe('malformed requests before routing and multipart bodies are 4xx', () => {
  const path = () => `/api/v10/channels/${g.channelId}/messages`;
  const part = (boundary: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\n\r\n{"content":"x"}\r\n--${boundary}\r\nContent-Disposition: form-data; name="files[0]"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello`;

  it('multipart without a boundary', async () => {
    const res = await raw('POST', path(), { 'content-type': 'multipart/form-data' }, part('x'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(50035);
  });

  it('multipart cut off in the middle of a file', async () => {
    const before = await rows();
    const res = await raw('POST', path(), { 'content-type': 'multipart/form-data; boundary=abc' }, part('abc'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(50035);
    expect((await rows()).messages).toBe(before.messages);
  });

  it('multipart with a boundary over 256 characters', async () => {
    const b = 'b'.repeat(300);
    const res = await raw('POST', path(), { 'content-type': `multipart/form-data; boundary=${b}` }, `${part(b)}\r\n--${b}--\r\n`);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(50035);
  });

  it('a well-formed multipart body with the same parts is accepted (control)', async () => {
    const res = await raw('POST', path(), { 'content-type': 'multipart/form-data; boundary=abc' }, `${part('abc')}\r\n--abc--\r\n`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a malformed percent-encoding in the path', async () => {
    const res = await raw('GET', '/api/v10/guilds/%E0%A4%A', {});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 0, message: '404: Not Found' });
  });

  it('a path segment longer than any id', async () => {
    const res = await raw('GET', `/api/v10/guilds/${'1'.repeat(200)}`, {});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 0, message: '404: Not Found' });
  });
});

describe('file names', () => {
  async function upload(name: string) {
    const form = new FormData();
    form.append('files[0]', new Blob([Buffer.from('text')]), name);
    const res = await fetch(`${server.url}/api/v10/channels/${g.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.owner.token}` },
      body: form,
    });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.attachments[0].filename as string;
  }

  it('a name of only invisible and right-to-left characters gets a safe visible name', async () => {
    expect(await upload('\uffa0\u202e.txt')).toBe('unknown.txt');
    expect(await upload('\u3164\u200b\u2066')).toBe('unknown');
  });

  it('a Unicode name is kept, by multipart and by direct upload', async () => {
    expect(await upload('résumé ünïcode 履歴書.txt')).toBe('résumé_ünïcode_履歴書.txt');
    const slot = await api(server, 'POST', `/channels/${g.channelId}/attachments`, { token: g.owner.token, body: { files: [{ id: '0', filename: 'Þórr.bin', file_size: 3 }] } });
    expect(slot.status, JSON.stringify(slot.body)).toBe(200);
  });

  it('a right-to-left override cannot disguise an extension', async () => {
    expect(await upload('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
  });
});
