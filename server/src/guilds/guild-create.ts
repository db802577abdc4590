import { eq, sql } from 'drizzle-orm';
import { loadVisibleChannels } from '../channels/store.js';
import type { Queryable } from '../db/client.js';
import { members, roles } from '../db/schema.js';
import { loadWireMembers } from '../members/store.js';
import type { GuildAccess } from '../permissions/access.js';
import { toWireGuild } from './wire.js';

/** Read side of a guild as members receive it; shared by guilds/ and members/ (no service cycle). */
export async function loadGuildRoles(q: Queryable, guildId: string) {
  return q.select().from(roles).where(eq(roles.guildId, guildId));
}

export async function memberCount(q: Queryable, guildId: string): Promise<number> {
  const [{ n }] = await q.select({ n: sql<number>`count(*)::int` }).from(members).where(eq(members.guildId, guildId));
  return Number(n);
}

/** The full guild a member receives in GUILD_CREATE: roles, visible channels, members. */
export async function loadGuildCreate(q: Queryable, access: GuildAccess) {
  const guildId = access.guild.id;
  // Sequential: inside a transaction every query shares one connection.
  const roleRows = await loadGuildRoles(q, guildId);
  const channelList = await loadVisibleChannels(q, access);
  const memberList = await loadWireMembers(q, guildId, { limit: 1000 });
  const n = await memberCount(q, guildId);
  const me = memberList.find((m) => m.user.id === access.ctx.userId);
  return {
    ...toWireGuild(access.guild, roleRows),
    joined_at: me?.joined_at,
    large: n > 250,
    unavailable: false,
    member_count: n,
    channels: channelList,
    members: memberList,
    voice_states: [] as unknown[],
    presences: [] as unknown[],
    threads: [] as unknown[],
  };
}
