/**
 * Guild setup for message tests, through the real routes: POST /guilds, invites, roles, member
 * roles, overwrites and channels. The guild owner acts for every setup call, so each fixture only
 * needs ids: the owner is remembered per guild and channel.
 */
import type { BusEvent } from '../bus/types.js';
import { api, registerUser, type TestServer, type TestUser } from './helper.js';

export interface TestGuild {
  owner: TestUser;
  guildId: string;
  /** #general */
  channelId: string;
  /** The voice channel "General". */
  voiceId: string;
}

const ownerOf = new Map<string, TestUser>();

async function asOwner(server: TestServer, scopeId: string, method: string, path: string, body?: unknown) {
  const owner = ownerOf.get(scopeId);
  if (!owner) throw new Error(`no fixture owner for ${scopeId}`);
  const res = await api(server, method, path, { token: owner.token, body });
  if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function createGuild(server: TestServer, owner?: TestUser): Promise<TestGuild> {
  const user = owner ?? (await registerUser(server));
  const res = await api(server, 'POST', '/guilds', { token: user.token, body: { name: 'Message Tests' } });
  if (res.status !== 201) throw new Error(`create guild failed: ${res.status} ${JSON.stringify(res.body)}`);
  const text = res.body.channels.find((c: { type: number }) => c.type === 0);
  const voice = res.body.channels.find((c: { type: number }) => c.type === 2);
  for (const id of [res.body.id, text.id, voice.id]) ownerOf.set(id, user);
  return { owner: user, guildId: res.body.id, channelId: text.id, voiceId: voice.id };
}

/** Joins through an invite to the guild's first text channel. */
export async function addMember(server: TestServer, guildId: string, user?: TestUser): Promise<TestUser> {
  const u = user ?? (await registerUser(server));
  const channels = await asOwner(server, guildId, 'GET', `/guilds/${guildId}/channels`);
  const text = channels.find((c: { type: number }) => c.type === 0);
  const invite = await asOwner(server, guildId, 'POST', `/channels/${text.id}/invites`, { max_age: 0, max_uses: 1, unique: true });
  const res = await api(server, 'POST', `/invites/${invite.code}`, { token: u.token });
  if (res.status >= 300) throw new Error(`accept invite failed: ${res.status} ${JSON.stringify(res.body)}`);
  return u;
}

export async function createRole(
  server: TestServer,
  guildId: string,
  opts: { permissions?: bigint; mentionable?: boolean; name?: string } = {},
) {
  const role = await asOwner(server, guildId, 'POST', `/guilds/${guildId}/roles`, {
    name: opts.name ?? 'role',
    permissions: (opts.permissions ?? 0n).toString(),
    mentionable: opts.mentionable ?? false,
  });
  return role.id as string;
}

export async function giveRole(server: TestServer, guildId: string, userId: string, roleId: string) {
  await asOwner(server, guildId, 'PUT', `/guilds/${guildId}/members/${userId}/roles/${roleId}`);
}

/** Replaces @everyone's permissions (id = guild id). */
export async function setEveryonePermissions(server: TestServer, guildId: string, permissions: bigint) {
  await asOwner(server, guildId, 'PATCH', `/guilds/${guildId}/roles/${guildId}`, { permissions: permissions.toString() });
}

export async function setOverwrite(server: TestServer, channelId: string, targetId: string, type: 0 | 1, allow: bigint, deny: bigint) {
  await asOwner(server, channelId, 'PUT', `/channels/${channelId}/permissions/${targetId}`, {
    type,
    allow: allow.toString(),
    deny: deny.toString(),
  });
}

export async function createTextChannel(server: TestServer, guildId: string, name = 'extra') {
  const channel = await asOwner(server, guildId, 'POST', `/guilds/${guildId}/channels`, { name, type: 0 });
  ownerOf.set(channel.id, ownerOf.get(guildId) as TestUser);
  return channel.id as string;
}

/** Records every bus event from now on (the events the gateway would route). */
export function recordEvents(server: TestServer) {
  const events: BusEvent[] = [];
  const stop = server.app.ctx.bus.subscribe((e) => events.push(e));
  return {
    events,
    stop,
    of: (t: string) => events.filter((e) => e.t === t),
    /** Waits until `pred` holds (Redis delivery is asynchronous). */
    async waitFor(pred: () => boolean, ms = 3000) {
      const end = Date.now() + ms;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

export const send = (server: TestServer, user: TestUser, channelId: string, body: unknown) =>
  api(server, 'POST', `/channels/${channelId}/messages`, { token: user.token, body });
