import { expect } from 'vitest';
import { type TestServer, type TestUser, api } from './helper.js';

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
  const inv = await api(server, 'POST', `/channels/${general}/invites`, { token: owner.token, body: { max_age: 0, max_uses: 0, unique: true } });
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
