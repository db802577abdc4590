import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser } from '../test/gateway.js';
import { createGuild, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
let guild: TestGuild;

beforeAll(async () => {
  server = await startServer();
  owner = await registerUser(server);
  member = await registerUser(server);
  guild = await createGuild(server, owner);
  await join(server, guild, member);
});
afterAll(() => server?.close());

async function createHook(name = 'CI') {
  const res = await api(server, 'POST', `/channels/${guild.generalId}/webhooks`, { token: owner.token, body: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; token: string; url: string; name: string; channel_id: string };
}

describe('webhooks', () => {
  it('create/list/edit/delete need MANAGE_WEBHOOKS', async () => {
    const denied = await api(server, 'POST', `/channels/${guild.generalId}/webhooks`, { token: member.token, body: { name: 'x' } });
    expect(denied.status).toBe(403);
    expect((await api(server, 'GET', `/channels/${guild.generalId}/webhooks`, { token: member.token })).status).toBe(403);
    const hook = await createHook('Deploys');
    expect(hook).toMatchObject({ type: 1, name: 'Deploys', channel_id: guild.generalId, guild_id: guild.id, application_id: null });
    expect(hook.url).toBe(`${server.url}/api/v10/webhooks/${hook.id}/${hook.token}`);
    const list = await api(server, 'GET', `/channels/${guild.generalId}/webhooks`, { token: owner.token });
    expect(list.body.map((w: { id: string }) => w.id)).toContain(hook.id);
    const all = await api(server, 'GET', `/guilds/${guild.id}/webhooks`, { token: owner.token });
    expect(all.body.map((w: { id: string }) => w.id)).toContain(hook.id);
    const renamed = await api(server, 'PATCH', `/webhooks/${hook.id}`, { token: owner.token, body: { name: 'Releases' } });
    expect(renamed.body.name).toBe('Releases');
    expect((await api(server, 'PATCH', `/webhooks/${hook.id}`, { token: member.token, body: { name: 'mine' } })).status).toBe(403);
    const bad = await api(server, 'POST', `/channels/${guild.generalId}/webhooks`, { token: owner.token, body: { name: 'discord bot' } });
    expect(bad.status).toBe(400);
    expect((await api(server, 'DELETE', `/webhooks/${hook.id}`, { token: member.token })).status).toBe(403);
    expect((await api(server, 'DELETE', `/webhooks/${hook.id}`, { token: owner.token })).status).toBe(204);
    expect((await api(server, 'GET', `/webhooks/${hook.id}`, { token: owner.token })).status).toBe(404);
    // A deleted webhook's token no longer posts.
    expect(
      (await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"content":"x"}' })).status,
    ).toBe(404);
  });

  it('GET /webhooks/{id}/{token} needs no auth; a wrong token is 401, an unknown id 404', async () => {
    const hook = await createHook();
    const res = await fetch(`${server.url}/api/v10/webhooks/${hook.id}/${hook.token}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ id: hook.id, name: 'CI', token: hook.token });
    expect(body.user).toBeUndefined();
    expect((await fetch(`${server.url}/api/v10/webhooks/${hook.id}/wrong`)).status).toBe(401);
    expect(
      (
        await fetch(`${server.url}/api/v10/webhooks/${hook.id}/wrong`, {
          method: 'POST',
          body: '{"content":"x"}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${server.url}/api/v10/webhooks/123456789012345678/${hook.token}`)).status).toBe(404);
  });

  it('executing posts a message that arrives over the gateway under the webhook name, with a BOT author', async () => {
    const hook = await createHook('Build Bot');
    const gw = await connectUser(server, member);
    const plain = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'build #1 passed' }),
    });
    expect(plain.status).toBe(204);
    const ev = await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'build #1 passed');
    expect(ev.d.webhook_id).toBe(hook.id);
    expect(ev.d.author).toMatchObject({ id: hook.id, username: 'Build Bot', bot: true, discriminator: '0000' });
    expect(ev.d.member).toBeUndefined();

    const waited = await fetch(`${hook.url}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'Nightly',
        avatar_url: 'https://ci.example/a.png',
        embeds: [{ title: 'Nightly', color: 0xff0000 }],
      }),
    });
    expect(waited.status).toBe(200);
    const msg = await waited.json();
    expect(msg).toMatchObject({
      content: '',
      webhook_id: hook.id,
      author: { username: 'Nightly', bot: true },
      embeds: [{ title: 'Nightly', type: 'rich' }],
    });
    const again = await api(server, 'GET', `/channels/${guild.generalId}/messages/${msg.id}`, { token: member.token });
    expect(again.body.author.username).toBe('Nightly');
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });

  it('executes with files (multipart) and refuses empty or malformed messages, storing nothing', async () => {
    const hook = await createHook('Uploader');
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'log attached' }));
    form.append('files[0]', new Blob([Buffer.from('line 1\nline 2\n')], { type: 'text/plain' }), 'build.log');
    const res = await fetch(`${hook.url}?wait=1`, { method: 'POST', body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].filename).toBe('build.log');
    expect(await (await fetch(body.attachments[0].url)).text()).toBe('line 1\nline 2\n');

    const before = await api(server, 'GET', `/channels/${guild.generalId}/messages?limit=1`, { token: owner.token });
    const empty = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(empty.status).toBe(400);
    expect((await empty.json()).code).toBe(50006);
    const long = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ embeds: [{ title: 'x'.repeat(300) }] }),
    });
    expect(long.status).toBe(400);
    const after = await api(server, 'GET', `/channels/${guild.generalId}/messages?limit=1`, { token: owner.token });
    expect(after.body[0].id).toBe(before.body[0].id);
  });

  it('a webhook can be renamed and deleted with its token alone', async () => {
    const hook = await createHook('Temp');
    const patched = await fetch(hook.url, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"Temp 2"}' });
    expect((await patched.json()).name).toBe('Temp 2');
    expect((await fetch(hook.url, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(hook.url)).status).toBe(404);
  });
});

describe('webhook messages', () => {
  it('GET/PATCH/DELETE /webhooks/{id}/{token}/messages/{id}: only its own messages, MESSAGE_UPDATE and MESSAGE_DELETE dispatched', async () => {
    const hook = await createHook('Builds');
    const other = await createHook('Other');
    const gw = await connectUser(server, member);
    const post = await fetch(`${hook.url}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'build #1 running' }),
    });
    const msg = await post.json();
    const url = `${hook.url}/messages/${msg.id}`;
    const json = { 'content-type': 'application/json' };

    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ id: msg.id, content: 'build #1 running', webhook_id: hook.id });

    const edited = await fetch(url, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ content: 'build #1 passed', embeds: [{ title: 'Build #1', color: 0x2ecc71 }] }),
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ content: 'build #1 passed', embeds: [expect.objectContaining({ title: 'Build #1' })] });
    const up = await gw.dispatch('MESSAGE_UPDATE', (d) => d.id === msg.id);
    expect(up.d).toMatchObject({
      content: 'build #1 passed',
      webhook_id: hook.id,
      author: expect.objectContaining({ username: 'Builds' }),
    });
    expect(up.d.edited_timestamp).toBeTruthy();

    // Wrong token 401; another webhook's token, a user's message or an unknown id: 10008; bad input 400. Nothing changes.
    expect((await fetch(`${server.url}/api/v10/webhooks/${hook.id}/wrong/messages/${msg.id}`, { method: 'DELETE' })).status).toBe(401);
    const foreign = await fetch(`${other.url}/messages/${msg.id}`, { method: 'PATCH', headers: json, body: '{"content":"hijack"}' });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe(10008);
    const userMsg = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: 'mine' } });
    expect((await fetch(`${hook.url}/messages/${userMsg.body.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${hook.url}/messages/123`)).status).toBe(404);
    const empty = await fetch(url, { method: 'PATCH', headers: json, body: JSON.stringify({ content: '', embeds: [] }) });
    expect(empty.status).toBe(400);
    expect((await fetch(url, { method: 'PATCH', headers: json, body: JSON.stringify({ content: 5 }) })).status).toBe(400);
    expect((await fetch(`${hook.url}/messages/not-an-id`)).status).toBe(400);
    expect((await (await fetch(url)).json()).content).toBe('build #1 passed');

    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    const del = await gw.dispatch('MESSAGE_DELETE', (d) => d.id === msg.id);
    expect(del.d).toEqual({ id: msg.id, channel_id: guild.generalId, guild_id: guild.id });
    expect((await fetch(url)).status).toBe(404);
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });
});
