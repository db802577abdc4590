import { Permissions as P } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/types.js';
import { createGuild, createRole, expectValidDispatches, join } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let member: TestUser;
const events: BusEvent[] = [];
/** Every event of the suite (`events` is cleared per test). */
const seen: BusEvent[] = [];

beforeAll(async () => {
  server = await startServer({ env: { ARGON2_MEMORY_KIB: '1024' } });
  server.app.ctx.bus.subscribe((e) => {
    events.push(e);
    seen.push(e);
  });
  [owner, member] = await Promise.all([registerUser(server), registerUser(server)]);
});
afterAll(() => server?.close());

describe('POST /guilds', () => {
  it('makes the caller owner, @everyone with the guild id, two categories, #general and General', async () => {
    events.length = 0;
    const r = await api(server, 'POST', '/guilds', { token: owner.token, body: { name: '  My Place ' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'My Place',
      owner_id: owner.id,
      member_count: 1,
      roles: [{ id: r.body.id, name: '@everyone', position: 0 }],
    });
    expect(r.body.members).toMatchObject([{ user: { id: owner.id }, roles: [] }]);
    expect(r.body.system_channel_id).toBe(r.body.channels.find((c: { name: string }) => c.name === 'general').id);
    expect(events.find((e) => e.t === 'GUILD_CREATE')).toMatchObject({ user_ids: [owner.id], meta: { join: owner.id } });
  });

  it('rejects bad names with 400 and creates nothing', async () => {
    const before = (await api(server, 'GET', '/users/@me/guilds', { token: owner.token })).body.length;
    for (const body of [{}, { name: '' }, { name: 'a' }, { name: ' a ' }, { name: 'x'.repeat(101) }, { name: 5 }]) {
      const r = await api(server, 'POST', '/guilds', { token: owner.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe(50035);
    }
    expect((await api(server, 'POST', '/guilds', { token: owner.token, raw: '{"name":' })).status).toBe(400);
    expect((await api(server, 'GET', '/users/@me/guilds', { token: owner.token })).body.length).toBe(before);
  });
});

describe('GET/PATCH /guilds/:id', () => {
  it('GET returns the guild; with_counts adds approximate counts', async () => {
    const g = await createGuild(server, owner, 'Counted');
    await join(server, g, member);
    const r = await api(server, 'GET', `/guilds/${g.id}?with_counts=true`, { token: member.token });
    expect(r.body).toMatchObject({ id: g.id, name: 'Counted', owner_id: owner.id, approximate_member_count: 2 });
    expect((await api(server, 'GET', `/guilds/${g.id}`, { token: member.token })).body).not.toHaveProperty('approximate_member_count');
  });

  it('PATCH edits, emits GUILD_UPDATE and records GUILD_UPDATE (1) with before/after and the reason', async () => {
    const g = await createGuild(server, owner, 'Before');
    events.length = 0;
    const r = await api(server, 'PATCH', `/guilds/${g.id}`, {
      token: owner.token,
      body: { name: 'After', description: 'hi', afk_channel_id: g.voiceId, afk_timeout: 900 },
      headers: { 'x-audit-log-reason': encodeURIComponent('tidy up ✓') },
    });
    expect(r.body).toMatchObject({ name: 'After', description: 'hi', afk_channel_id: g.voiceId, afk_timeout: 900 });
    expect(events.find((e) => e.t === 'GUILD_UPDATE')).toMatchObject({ guild_id: g.id, d: { name: 'After' } });
    const log = await api(server, 'GET', `/guilds/${g.id}/audit-logs?action_type=1`, { token: owner.token });
    expect(log.body.audit_log_entries).toHaveLength(1);
    expect(log.body.audit_log_entries[0]).toMatchObject({ action_type: 1, user_id: owner.id, target_id: g.id, reason: 'tidy up ✓' });
    expect(log.body.audit_log_entries[0].changes).toEqual(
      expect.arrayContaining([
        { key: 'name', old_value: 'Before', new_value: 'After' },
        { key: 'afk_timeout', old_value: 300, new_value: 900 },
      ]),
    );
  });

  it('bad input: 400 naming the field, nothing changes', async () => {
    const g = await createGuild(server, owner, 'Stable');
    await join(server, g, member);
    const before = (await api(server, 'GET', `/guilds/${g.id}`, { token: owner.token })).body;
    const bad: [Record<string, unknown>, string][] = [
      [{ name: 'a' }, 'name'],
      [{ name: '  a  ' }, 'name'],
      [{ afk_timeout: 61 }, 'afk_timeout'],
      [{ afk_channel_id: g.generalId }, 'afk_channel_id'],
      [{ system_channel_id: g.voiceId }, 'system_channel_id'],
      [{ system_channel_id: '12345' }, 'system_channel_id'],
      [{ owner_id: '12345' }, 'owner_id'],
      [{ verification_level: 9 }, 'verification_level'],
      [{ description: 'x'.repeat(121) }, 'description'],
      [{ name: 'Fine', afk_timeout: 7 }, 'afk_timeout'],
    ];
    for (const [body, field] of bad) {
      const r = await api(server, 'PATCH', `/guilds/${g.id}`, { token: owner.token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.body.errors), JSON.stringify(body)).toContain(field);
    }
    expect((await api(server, 'GET', `/guilds/${g.id}`, { token: owner.token })).body).toEqual(before);
    expect((await api(server, 'GET', `/guilds/${g.id}/audit-logs?action_type=1`, { token: owner.token })).body.audit_log_entries).toEqual(
      [],
    );
  });
});

describe('GET /users/@me/guilds and leaving', () => {
  it('lists partial guilds with owner flag and permissions', async () => {
    const g = await createGuild(server, owner, 'Listed');
    await join(server, g, member);
    const mine = await api(server, 'GET', '/users/@me/guilds', { token: member.token });
    const entry = mine.body.find((x: { id: string }) => x.id === g.id);
    expect(entry).toMatchObject({ name: 'Listed', owner: false, features: [] });
    expect(BigInt(entry.permissions) & P.VIEW_CHANNEL).toBe(P.VIEW_CHANNEL);
    const ownerView = (await api(server, 'GET', '/users/@me/guilds?with_counts=true', { token: owner.token })).body.find(
      (x: { id: string }) => x.id === g.id,
    );
    expect(ownerView).toMatchObject({ owner: true, approximate_member_count: 2 });
    const ids = mine.body.map((x: { id: string }) => x.id);
    expect(ids).toEqual([...ids].sort((a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    const page = await api(server, 'GET', `/users/@me/guilds?limit=1&after=${ids[0]}`, { token: member.token });
    expect(page.body.map((x: { id: string }) => x.id)).toEqual(ids.slice(1, 2));
  });

  it('leaving removes the membership; the owner cannot leave', async () => {
    const g = await createGuild(server, owner, 'Leavable');
    await join(server, g, member);
    const role = await createRole(server, owner.token, g.id);
    await api(server, 'PUT', `/guilds/${g.id}/members/${member.id}/roles/${role.id}`, { token: owner.token });
    events.length = 0;
    expect((await api(server, 'DELETE', `/users/@me/guilds/${g.id}`, { token: member.token })).status).toBe(204);
    expect(events.find((e) => e.t === 'GUILD_DELETE')).toMatchObject({
      user_ids: [member.id],
      d: { id: g.id },
      meta: { leave: member.id },
    });
    expect(events.find((e) => e.t === 'GUILD_MEMBER_REMOVE')).toMatchObject({
      guild_id: g.id,
      d: { guild_id: g.id, user: { id: member.id } },
    });
    expect((await api(server, 'GET', `/guilds/${g.id}`, { token: member.token })).body.code).toBe(10004);
    expect((await api(server, 'DELETE', `/users/@me/guilds/${g.id}`, { token: member.token })).body.code).toBe(10004);
    const ownerLeave = await api(server, 'DELETE', `/users/@me/guilds/${g.id}`, { token: owner.token });
    expect(ownerLeave.status).toBe(400);
    expect(ownerLeave.body.code).toBe(50055);
    // Rejoining starts without the old roles.
    await join(server, g, member);
    expect((await api(server, 'GET', `/guilds/${g.id}/members/${member.id}`, { token: owner.token })).body.roles).toEqual([]);
  });

  it('DELETE /guilds/:id removes it for every member', async () => {
    const g = await createGuild(server, owner, 'Gone');
    await join(server, g, member);
    events.length = 0;
    expect((await api(server, 'DELETE', `/guilds/${g.id}`, { token: owner.token })).status).toBe(204);
    const del = events.find((e) => e.t === 'GUILD_DELETE');
    expect(del).toMatchObject({ d: { id: g.id }, meta: { deleted: true } });
    expect(del?.user_ids?.sort()).toEqual([owner.id, member.id].sort());
    expect((await api(server, 'GET', `/invites/${g.invite}`)).status).toBe(404);
    expect((await api(server, 'GET', '/users/@me/guilds', { token: member.token })).body.map((x: { id: string }) => x.id)).not.toContain(
      g.id,
    );
  });
});

describe('OpenAPI', () => {
  it('documents the guild-side routes with their response schemas', async () => {
    const doc = await api(server, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of [
      '/api/v10/guilds/{guildId}',
      '/api/v10/guilds/{guildId}/roles',
      '/api/v10/channels/{channelId}/permissions/{overwriteId}',
      '/api/v10/invites/{code}',
      '/api/v10/guilds/{guildId}/audit-logs',
    ]) {
      expect(doc.body.paths[path], path).toBeDefined();
    }
    expect(doc.body.paths['/api/v10/guilds/{guildId}/roles'].get.responses['200']).toBeDefined();
  });
});

describe('audit log', () => {
  it('filters by user_id, action_type, before and limit; newest first', async () => {
    const g = await createGuild(server, owner, 'Audited');
    await join(server, g, member);
    const mod = await createRole(server, owner.token, g.id, { permissions: (P.MANAGE_CHANNELS | P.VIEW_AUDIT_LOG).toString() });
    await api(server, 'PUT', `/guilds/${g.id}/members/${member.id}/roles/${mod.id}`, { token: owner.token });
    for (const name of ['one', 'two', 'three'])
      await api(server, 'POST', `/guilds/${g.id}/channels`, { token: member.token, body: { name } });
    const all = (await api(server, 'GET', `/guilds/${g.id}/audit-logs`, { token: member.token })).body;
    const ids = all.audit_log_entries.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...ids].sort((a: string, b: string) => (BigInt(a) < BigInt(b) ? 1 : -1)));
    expect(all.audit_log_entries.map((e: { action_type: number }) => e.action_type)).toEqual([10, 10, 10, 25, 30, 40]);
    expect(all.users.map((u: { id: string }) => u.id).sort()).toEqual([owner.id, member.id].sort());
    const byMember = (await api(server, 'GET', `/guilds/${g.id}/audit-logs?user_id=${member.id}`, { token: member.token })).body
      .audit_log_entries;
    expect(byMember).toHaveLength(3);
    expect(byMember[0].changes).toEqual(
      expect.arrayContaining([
        { key: 'name', new_value: 'three' },
        { key: 'type', new_value: 0 },
      ]),
    );
    const page = (await api(server, 'GET', `/guilds/${g.id}/audit-logs?limit=2&before=${ids[0]}`, { token: member.token })).body
      .audit_log_entries;
    expect(page.map((e: { id: string }) => e.id)).toEqual(ids.slice(1, 3));
    expect((await api(server, 'GET', `/guilds/${g.id}/audit-logs?limit=0`, { token: member.token })).status).toBe(400);
    expect((await api(server, 'GET', `/guilds/${g.id}/audit-logs?limit=101`, { token: member.token })).status).toBe(400);
    expect(events.filter((e) => e.t === 'GUILD_AUDIT_LOG_ENTRY_CREATE').at(-1)).toMatchObject({
      guild_id: g.id,
      meta: { required_permission: P.VIEW_AUDIT_LOG.toString() },
    });
  });

  it('every event this suite emitted matches its gateway dispatch schema', () => {
    expectValidDispatches(seen);
  });
});
