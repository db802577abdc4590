/**
 * Guild setup for message tests. The guild and its owner come from the real routes; members,
 * roles, overwrites and extra channels are inserted directly until the invite/role/overwrite
 * routes (issue 3) exist. TODO(#3): switch these to POST /invites/:code, POST /guilds/:id/roles,
 * PUT /guilds/:id/members/:uid/roles/:rid and PUT /channels/:id/permissions/:oid.
 */
import { and, eq } from 'drizzle-orm';
import type { BusEvent } from '../bus/types.js';
import { channels, memberRoles, members, permissionOverwrites, roles } from '../db/schema.js';
import { type TestServer, type TestUser, api, registerUser } from './helper.js';

export interface TestGuild {
  owner: TestUser;
  guildId: string;
  /** #general */
  channelId: string;
  /** The voice channel "General". */
  voiceId: string;
}

export async function createGuild(server: TestServer, owner?: TestUser): Promise<TestGuild> {
  const user = owner ?? (await registerUser(server));
  const res = await api(server, 'POST', '/guilds', { token: user.token, body: { name: 'Message Tests' } });
  if (res.status !== 201) throw new Error(`create guild failed: ${res.status} ${JSON.stringify(res.body)}`);
  const text = res.body.channels.find((c: { type: number }) => c.type === 0);
  const voice = res.body.channels.find((c: { type: number }) => c.type === 2);
  return { owner: user, guildId: res.body.id, channelId: text.id, voiceId: voice.id };
}

export async function addMember(server: TestServer, guildId: string, user?: TestUser): Promise<TestUser> {
  const u = user ?? (await registerUser(server));
  await server.app.ctx.db.insert(members).values({ guildId, userId: u.id });
  return u;
}

export async function createRole(server: TestServer, guildId: string, opts: { permissions?: bigint; mentionable?: boolean; name?: string } = {}) {
  const id = server.app.ctx.ids.next();
  await server.app.ctx.db
    .insert(roles)
    .values({ id, guildId, name: opts.name ?? 'role', position: 1, permissions: (opts.permissions ?? 0n).toString(), mentionable: opts.mentionable ?? false });
  return id;
}

export async function giveRole(server: TestServer, guildId: string, userId: string, roleId: string) {
  await server.app.ctx.db.insert(memberRoles).values({ guildId, userId, roleId });
}

/** Replaces @everyone's permissions (id = guild id). */
export async function setEveryonePermissions(server: TestServer, guildId: string, permissions: bigint) {
  await server.app.ctx.db.update(roles).set({ permissions: permissions.toString() }).where(and(eq(roles.id, guildId), eq(roles.guildId, guildId)));
}

export async function setOverwrite(server: TestServer, channelId: string, targetId: string, type: 0 | 1, allow: bigint, deny: bigint) {
  await server.app.ctx.db
    .insert(permissionOverwrites)
    .values({ channelId, targetId, type, allow: allow.toString(), deny: deny.toString() })
    .onConflictDoUpdate({ target: [permissionOverwrites.channelId, permissionOverwrites.targetId], set: { allow: allow.toString(), deny: deny.toString() } });
}

export async function createTextChannel(server: TestServer, guildId: string, name = 'extra') {
  const id = server.app.ctx.ids.next();
  await server.app.ctx.db.insert(channels).values({ id, guildId, type: 0, name, position: 5 });
  return id;
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
