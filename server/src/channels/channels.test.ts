import { Permissions as P } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/types.js';
import { createGuild, createRole, expectValidDispatches, join, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let plain: TestUser;
let manager: TestUser;
let g: TestGuild;
const events: BusEvent[] = [];
/** Every event of the suite (`events` is cleared per test). */
const seen: BusEvent[] = [];

type Channel = {
  id: string;
  name: string;
  type: number;
  parent_id: string | null;
  position: number;
  permission_overwrites: unknown[];
  topic?: string;
};
const listChannels = async (u = owner): Promise<Channel[]> =>
  (await api(server, 'GET', `/guilds/${g.id}/channels`, { token: u.token })).body;
const create = (body: Record<string, unknown>, u = owner) => api(server, 'POST', `/guilds/${g.id}/channels`, { token: u.token, body });

beforeAll(async () => {
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024' } });
  server.app.ctx.bus.subscribe((e) => {
    events.push(e);
    seen.push(e);
  });
  [owner, plain, manager] = await Promise.all(Array.from({ length: 3 }, () => registerUser(server)));
  g = await createGuild(server, owner, 'Channels');
  await join(server, g, plain, manager);
  const role = await createRole(server, owner.token, g.id, { permissions: (P.MANAGE_CHANNELS | P.MANAGE_ROLES).toString() });
  await api(server, 'PUT', `/guilds/${g.id}/members/${manager.id}/roles/${role.id}`, { token: owner.token });
});
afterAll(() => server?.close());

describe('POST /guilds/:id/channels', () => {
  it('POST /guilds made the default layout', async () => {
    const chans = await listChannels();
    expect(chans.map((c) => [c.type, c.name]).sort()).toEqual(
      [
        [0, 'general'],
        [2, 'General'],
        [4, 'Text Channels'],
        [4, 'Voice Channels'],
      ].sort(),
    );
    const general = chans.find((c) => c.name === 'general');
    expect(general?.parent_id).toBe(g.textCategoryId);
  });

  it('text names are lowercased with dashes; voice names keep their case; CHANNEL_CREATE is routed by channel', async () => {
    events.length = 0;
    const t = await create({ name: 'Hello World', topic: 'hi', parent_id: g.textCategoryId });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({
      name: 'hello-world',
      type: 0,
      topic: 'hi',
      parent_id: g.textCategoryId,
      guild_id: g.id,
      nsfw: false,
      rate_limit_per_user: 0,
    });
    expect(events.find((e) => e.t === 'CHANNEL_CREATE')).toMatchObject({ channel_id: t.body.id, guild_id: g.id });
    const v = await create({ name: 'Lounge 1', type: 2, bitrate: 96000, user_limit: 5 });
    expect(v.body).toMatchObject({ name: 'Lounge 1', type: 2, bitrate: 96000, user_limit: 5 });
    const c = await create({ name: 'Stuff', type: 4 });
    expect(c.body).toMatchObject({ name: 'Stuff', type: 4 });
  });

  it('bad input: 400 with the field named, and nothing is created', async () => {
    const before = await listChannels();
    const voice = g.voiceId;
    const bad: [Record<string, unknown>, string][] = [
      [{ name: '' }, 'name'],
      [{ name: 'bad!name' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'ok', topic: 'x'.repeat(1025) }, 'topic'],
      [{ name: 'ok', type: 1 }, 'type'],
      [{ name: 'ok', type: 5 }, 'type'],
      [{ name: 'ok', parent_id: voice }, 'parent_id'],
      [{ name: 'ok', type: 4, parent_id: g.textCategoryId }, 'parent_id'],
      [{ name: 'ok', type: 2, bitrate: 1 }, 'bitrate'],
      [{ name: 'ok', type: 2, user_limit: 100 }, 'user_limit'],
      [{ name: 'ok', permission_overwrites: [{ id: '123', type: 0, deny: '1024' }] }, 'permission_overwrites'],
      [{ name: 42 }, 'name'],
    ];
    for (const [body, field] of bad) {
      const r = await create(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe(50035);
      expect(Object.keys(r.body.errors ?? {}).join(), JSON.stringify(r.body)).toContain(field);
    }
    expect(await listChannels()).toEqual(before);
  });
});

describe('PATCH/DELETE /channels/:id', () => {
  it('edits and records CHANNEL_UPDATE with before/after', async () => {
    const t = await create({ name: 'edit-me' });
    const r = await api(server, 'PATCH', `/channels/${t.body.id}`, {
      token: manager.token,
      body: { name: 'Edited Name', topic: 'new topic', nsfw: true },
    });
    expect(r.body).toMatchObject({ name: 'edited-name', topic: 'new topic', nsfw: true });
    const log = await api(server, 'GET', `/guilds/${g.id}/audit-logs?action_type=11&limit=1`, { token: owner.token });
    expect(log.body.audit_log_entries[0]).toMatchObject({ target_id: t.body.id, user_id: manager.id });
    expect(log.body.audit_log_entries[0].changes).toEqual(
      expect.arrayContaining([
        { key: 'name', old_value: 'edit-me', new_value: 'edited-name' },
        { key: 'topic', old_value: null, new_value: 'new topic' },
      ]),
    );
    expect((await api(server, 'PATCH', `/channels/${t.body.id}`, { token: owner.token, body: { topic: 'x'.repeat(1025) } })).status).toBe(
      400,
    );
    expect((await api(server, 'PATCH', `/channels/${t.body.id}`, { token: owner.token, body: { parent_id: t.body.id } })).status).toBe(400);
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: owner.token })).body.topic).toBe('new topic');
  });

  it('deleting a category moves its children to the top level', async () => {
    const cat = await create({ name: 'Doomed', type: 4 });
    const child = await create({ name: 'child', parent_id: cat.body.id });
    events.length = 0;
    const del = await api(server, 'DELETE', `/channels/${cat.body.id}`, { token: manager.token });
    expect(del.status).toBe(200);
    expect(del.body.id).toBe(cat.body.id);
    expect((await api(server, 'GET', `/channels/${child.body.id}`, { token: owner.token })).body.parent_id).toBeNull();
    expect(events.map((e) => e.t)).toEqual(expect.arrayContaining(['CHANNEL_DELETE', 'CHANNEL_UPDATE']));
    expect((await api(server, 'GET', `/channels/${cat.body.id}`, { token: owner.token })).body.code).toBe(10003);
  });

  it('PATCH /guilds/:id/channels moves channels and syncs permissions with lock_permissions', async () => {
    const cat = await create({ name: 'Private', type: 4, permission_overwrites: [{ id: g.id, type: 0, deny: P.VIEW_CHANNEL.toString() }] });
    const a = await create({ name: 'a' });
    const r = await api(server, 'PATCH', `/guilds/${g.id}/channels`, {
      token: manager.token,
      body: [{ id: a.body.id, position: 3, parent_id: cat.body.id, lock_permissions: true }],
    });
    expect(r.status).toBe(204);
    const got = await api(server, 'GET', `/channels/${a.body.id}`, { token: owner.token });
    expect(got.body).toMatchObject({
      position: 3,
      parent_id: cat.body.id,
      permission_overwrites: [{ id: g.id, type: 0, allow: '0', deny: P.VIEW_CHANNEL.toString() }],
    });
    expect((await api(server, 'GET', `/channels/${a.body.id}`, { token: plain.token })).body.code).toBe(10003);
    const bad = await api(server, 'PATCH', `/guilds/${g.id}/channels`, {
      token: owner.token,
      body: [{ id: a.body.id, parent_id: a.body.id }],
    });
    expect(bad.status).toBe(400);
    expect((await api(server, 'PATCH', `/guilds/${g.id}/channels`, { token: owner.token, body: [{ id: '42', position: 1 }] })).status).toBe(
      400,
    );
  });
});

describe('PUT/DELETE /channels/:id/permissions/:id', () => {
  it('hides a channel from @everyone, shows it to a role, records 13/14/15', async () => {
    const t = await create({ name: 'secret' });
    const path = `/channels/${t.body.id}/permissions/${g.id}`;
    events.length = 0;
    expect((await api(server, 'PUT', path, { token: manager.token, body: { type: 0, deny: P.VIEW_CHANNEL.toString() } })).status).toBe(204);
    expect(events.find((e) => e.t === 'CHANNEL_UPDATE')).toMatchObject({ channel_id: t.body.id, meta: { permissions_changed: true } });
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: plain.token })).status).toBe(404);
    expect((await listChannels(plain)).map((c) => c.id)).not.toContain(t.body.id);
    // The manager has no VIEW_CHANNEL there any more either: the channel is unknown to them now.
    expect((await api(server, 'PUT', path, { token: manager.token, body: { type: 0, deny: '0' } })).body.code).toBe(10003);
    const vip = await createRole(server, owner.token, g.id, { name: 'vip' });
    await api(server, 'PUT', `/guilds/${g.id}/members/${plain.id}/roles/${vip.id}`, { token: owner.token });
    await api(server, 'PUT', `/channels/${t.body.id}/permissions/${vip.id}`, {
      token: owner.token,
      body: { type: 0, allow: P.VIEW_CHANNEL.toString() },
    });
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: plain.token })).status).toBe(200);
    // Member overwrite beats the role allow.
    await api(server, 'PUT', `/channels/${t.body.id}/permissions/${plain.id}`, {
      token: owner.token,
      body: { type: 1, deny: P.VIEW_CHANNEL.toString() },
    });
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: plain.token })).status).toBe(404);
    await api(server, 'PUT', path, { token: owner.token, body: { type: 0, deny: (P.VIEW_CHANNEL | P.SEND_MESSAGES).toString() } });
    expect((await api(server, 'DELETE', `/channels/${t.body.id}/permissions/${plain.id}`, { token: owner.token })).status).toBe(204);
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: plain.token })).status).toBe(200);
    const log = await api(server, 'GET', `/guilds/${g.id}/audit-logs?limit=100`, { token: owner.token });
    const types = log.body.audit_log_entries
      .filter((e: { target_id: string }) => e.target_id === t.body.id)
      .map((e: { action_type: number }) => e.action_type);
    expect(types).toEqual(expect.arrayContaining([10, 13, 14, 15]));
    const upd = log.body.audit_log_entries.find(
      (e: { action_type: number; target_id: string }) => e.action_type === 14 && e.target_id === t.body.id,
    );
    expect(upd).toMatchObject({
      options: { id: g.id, type: '0' },
      changes: [{ key: 'deny', old_value: P.VIEW_CHANNEL.toString(), new_value: (P.VIEW_CHANNEL | P.SEND_MESSAGES).toString() }],
    });
  });

  it('nobody allows or denies a permission they lack; targets must be roles or members of the guild', async () => {
    const t = await create({ name: 'guarded' });
    const ban = await api(server, 'PUT', `/channels/${t.body.id}/permissions/${plain.id}`, {
      token: manager.token,
      body: { type: 1, allow: P.BAN_MEMBERS.toString() },
    });
    expect(ban.body.code).toBe(50013);
    expect(
      (await api(server, 'PUT', `/channels/${t.body.id}/permissions/123`, { token: owner.token, body: { type: 0, allow: '0' } })).status,
    ).toBe(400);
    expect(
      (await api(server, 'PUT', `/channels/${t.body.id}/permissions/${plain.id}`, { token: owner.token, body: { type: 2 } })).status,
    ).toBe(400);
    expect(
      (await api(server, 'PUT', `/channels/${t.body.id}/permissions/${plain.id}`, { token: owner.token, body: { type: 1, allow: 1024 } }))
        .status,
    ).toBe(400);
    expect((await api(server, 'GET', `/channels/${t.body.id}`, { token: owner.token })).body.permission_overwrites).toEqual([]);
  });
});

describe('dispatch shapes', () => {
  it('every event this suite emitted matches its gateway dispatch schema', () => expectValidDispatches(seen));
});

describe('GET /channels/:id for a DM', () => {
  it('returns the DM with the other recipient; strangers get Unknown Channel', async () => {
    const dm = await api(server, 'POST', '/users/@me/channels', { token: owner.token, body: { recipient_id: plain.id } });
    expect(dm.status).toBe(200);
    const r = await api(server, 'GET', `/channels/${dm.body.id}`, { token: plain.token });
    expect(r.body).toMatchObject({ id: dm.body.id, type: 1, recipients: [{ id: owner.id }] });
    expect((await api(server, 'GET', `/channels/${dm.body.id}`, { token: manager.token })).body.code).toBe(10003);
    expect((await api(server, 'PATCH', `/channels/${dm.body.id}`, { token: owner.token, body: { name: 'x' } })).body.code).toBe(50024);
  });
});
