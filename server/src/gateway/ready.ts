import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { channels, members, users } from '../db/schema.js';
import { loadDms } from '../dms/store.js';
import { toWireDmChannel } from '../dms/wire.js';
import { toWireChannel, toWireGuild } from '../guilds/wire.js';
import { loadWireMember, loadWireMembers } from '../members/store.js';
import { flushLastMessages } from '../messages/last-message.js';
import { loadWirePresences } from '../presence/service.js';
import type { PresenceStore } from '../presence/store.js';
import { loadReadStates } from '../read-states/store.js';
import { loadReadyRelationships } from '../relationships/service.js';
import { toWireCurrentUser } from '../users/wire.js';
import { extendGuildCreate, extendReady } from './extensions.js';
import type { GuildState } from './guild-cache.js';
import type { Session } from './session.js';

/**
 * IDENTIFY's `large_threshold` (Discord: 50–250, default 50). A guild with more members than the
 * session's threshold is `large`: its GUILD_CREATE lists only the members who are online, in a
 * voice channel, or the user; the client asks for others with op 8 REQUEST_GUILD_MEMBERS.
 */
export const LARGE_THRESHOLD = { min: 50, max: 250, default: 50 } as const;

/** Guilds a shard carries (Discord's formula); DMs go to shard 0. */
export function onShard(shard: [number, number] | null, guildId: string): boolean {
  if (!shard) return true;
  return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
}

export async function loadUserGuildIds(ctx: AppContext, userId: string): Promise<string[]> {
  const rows = await ctx.db.select({ guildId: members.guildId }).from(members).where(eq(members.userId, userId));
  return rows.map((r) => r.guildId);
}

/** DMs and group DMs the user is in, in the same shape CHANNEL_CREATE carries them. */
async function loadPrivateChannels(ctx: AppContext, userId: string) {
  return (await loadDms(ctx.db, userId)).map((dm) => toWireDmChannel(dm.channel, dm.recipients));
}

/** READY's `d`; null when the user no longer exists. */
export async function buildReady(ctx: AppContext, session: Session, guildIds: string[], gatewayUrl: string) {
  const [row] = await ctx.db.select().from(users).where(eq(users.id, session.userId)).limit(1);
  if (!row) return null;
  const [privateChannels, readState, extra, friends] = await Promise.all([
    loadPrivateChannels(ctx, session.userId),
    loadReadStates(ctx.db, session.userId),
    extendReady(ctx, session.userId, guildIds),
    loadReadyRelationships(ctx, session.userId),
  ]);
  return {
    v: 10 as const,
    user: toWireCurrentUser(row),
    guilds: guildIds.map((id) => ({ id, unavailable: true })),
    session_id: session.id,
    session_type: 'normal' as const,
    resume_gateway_url: gatewayUrl,
    private_channels: session.shard && session.shard[0] !== 0 ? [] : privateChannels,
    read_state: readState,
    relationships: friends.relationships,
    presences: friends.presences,
    user_settings: {},
    ...(session.shard ? { shard: session.shard } : {}),
    ...(row.bot ? { application: { id: row.id, flags: 0 } } : {}),
    ...extra,
  };
}

/** GUILD_CREATE's `d` for one user: only the channels they can see; members, presences, voice states. */
export async function buildGuildCreate(
  ctx: AppContext,
  presence: PresenceStore,
  state: GuildState,
  userId: string,
  largeThreshold: number = LARGE_THRESHOLD.default,
) {
  const extra = await extendGuildCreate(ctx, state.id, userId);
  const large = state.members.size > largeThreshold;
  const wanted = large ? await initialMemberIds(presence, state, userId, extra.voice_states) : undefined;
  const memberList = await loadWireMembers(ctx.db, state.id, { userIds: wanted });
  const me = memberList.find((m) => m.user.id === userId) ?? (await loadWireMember(ctx.db, state.id, userId));
  const presences = await loadWirePresences(
    presence,
    memberList.map((m) => m.user.id),
  );
  const visible = state.visibleChannels(userId);
  // Rows fresh from the database (the cache does not follow last_message_id); visibility from the cache.
  await flushLastMessages(ctx.db);
  const rows = await ctx.db.select().from(channels).where(eq(channels.guildId, state.id));
  const channelList = rows
    .filter((row) => visible.has(row.id))
    .sort((a, b) => a.position - b.position || (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
    .map((row) => toWireChannel(row, state.channels.get(row.id)?.overwriteRows ?? []));
  return {
    ...toWireGuild(state.guild, [...state.roleRows]),
    joined_at: me?.joined_at ?? new Date().toISOString(),
    large,
    unavailable: false,
    member_count: state.members.size,
    channels: channelList,
    threads: [],
    members: memberList,
    presences,
    voice_states: [] as unknown[],
    stage_instances: [],
    guild_scheduled_events: [],
    ...extra,
  };
}

/** A large guild's GUILD_CREATE members: who is present (not offline/invisible), who is in voice, and the user. */
async function initialMemberIds(presence: PresenceStore, state: GuildState, userId: string, voiceStates: unknown): Promise<string[]> {
  const ids = new Set<string>([userId]);
  const statuses = await presence.get([...state.members.keys()]);
  for (const [id, status] of statuses) if (status !== 'offline') ids.add(id);
  if (Array.isArray(voiceStates))
    for (const v of voiceStates as Array<{ user_id?: unknown }>)
      if (typeof v?.user_id === 'string' && state.members.has(v.user_id)) ids.add(v.user_id);
  return [...ids];
}
