import { DispatchEvents } from '@retrocast/protocol';
import { Value } from 'typebox/value';
import { expect } from 'vitest';
import { api, type TestServer, type TestUser } from './helper.js';

/** Test fixtures for guild-side suites, built through the public API only. */
export interface TestGuild {
  id: string;
  generalId: string;
  voiceId: string;
  textCategoryId: string;
  /** An unlimited, never-expiring invite to #general. */
  invite: string;
}

export async function createGuild(server: TestServer, owner: TestUser, name = 'Test Guild'): Promise<TestGuild> {
  const g = await api(server, 'POST', '/guilds', { token: owner.token, body: { name } });
  expect(g.status).toBe(201);
  const find = (type: number) => g.body.channels.find((c: { type: number }) => c.type === type).id as string;
  const general = g.body.channels.find((c: { type: number; name: string }) => c.type === 0 && c.name === 'general').id;
  const inv = await api(server, 'POST', `/channels/${general}/invites`, {
    token: owner.token,
    body: { max_age: 0, max_uses: 0, unique: true },
  });
  expect(inv.status).toBe(200);
  return { id: g.body.id, generalId: general, voiceId: find(2), textCategoryId: find(4), invite: inv.body.code };
}

export async function join(server: TestServer, guild: TestGuild, ...users: TestUser[]) {
  for (const u of users) {
    const r = await api(server, 'POST', `/invites/${guild.invite}`, { token: u.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}

export async function createRole(server: TestServer, token: string, guildId: string, body: Record<string, unknown> = {}) {
  const r = await api(server, 'POST', `/guilds/${guildId}/roles`, { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { id: string; position: number; permissions: string; name: string };
}

/**
 * Every captured bus event must match its dispatch schema in protocol/src/gateway (as the gateway
 * would send it), so the guild-side domains and the gateway agree on shapes.
 */
export function expectValidDispatches(events: { t: string; d: unknown }[]) {
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    const schema = DispatchEvents[e.t];
    expect(schema, `no dispatch schema for ${e.t}`).toBeDefined();
    const frame = { op: 0, t: e.t, s: 1, d: JSON.parse(JSON.stringify(e.d)) };
    expect([...Value.Errors(schema, frame)].map((x) => `${e.t} ${x.instancePath} ${x.message}`)).toEqual([]);
  }
}
