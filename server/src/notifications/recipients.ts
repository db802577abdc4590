import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { channelRecipients, channels, guilds, memberRoles, members, relationships } from '../db/schema.js';
import { guildStateCacheOf } from '../guild-state/cache.js';
import { type Decision, decideNotify, type RecipientSettings } from './decide.js';
import { DM_SETTINGS_ID, loadSettingsOf, type SettingsRow } from './store.js';

/** The fields of a MESSAGE_CREATE payload the worker reads. */
export interface MessageEvent {
  id: string;
  type?: number;
  channel_id: string;
  guild_id?: string;
  content: string;
  author: { id: string; username: string; global_name?: string | null; avatar?: string | null; bot?: boolean };
  mentions: Array<{ id: string }>;
  mention_roles: string[];
  mention_everyone: boolean;
}

export interface RecipientDecision {
  userId: string;
  decision: Decision;
  /** Aggregate presence: offline, idle, dnd or online. */
  status: string;
}

const toSettings = (row: SettingsRow | undefined): RecipientSettings => ({
  messageNotifications: row?.messageNotifications,
  muted: row?.muted,
  muteEndTime: row?.muteEndTime,
  suppressEveryone: row?.suppressEveryone,
  suppressRoles: row?.suppressRoles,
  channelOverrides: row?.channelOverrides,
});

/** Recipients who blocked the author (relationship type 2 in their own row). */
async function loadBlockers(ctx: AppContext, recipientIds: string[], authorId: string): Promise<Set<string>> {
  const rows = await ctx.db
    .select({ id: relationships.userId })
    .from(relationships)
    .where(and(eq(relationships.targetId, authorId), eq(relationships.type, 2), inArray(relationships.userId, recipientIds)));
  return new Set(rows.map((r) => r.id));
}

/** Who may be notified (everyone in the place but the author) and each one's role ids. */
interface Candidates {
  ids: string[];
  rolesOf(userId: string): readonly string[];
}

const NO_ROLES: readonly string[] = [];

/**
 * Members of the guild (or recipients of the DM) other than the author, with their role ids. From
 * the guild state cache the roles are read where they are, only for whoever is still a candidate
 * once online members are left out: copying every member's roles for each message was a third of
 * what the server allocated in the 1,000-member fan-out benchmark.
 */
async function loadCandidates(ctx: AppContext, m: MessageEvent): Promise<Candidates> {
  if (!m.guild_id) {
    const rows = await ctx.db
      .select({ id: channelRecipients.userId })
      .from(channelRecipients)
      .where(eq(channelRecipients.channelId, m.channel_id));
    return { ids: rows.map((r) => r.id).filter((id) => id !== m.author.id), rolesOf: () => NO_ROLES };
  }
  // Members and their roles from the guild state cache (no query per message), else two queries.
  const state = await guildStateCacheOf(ctx.db)?.guild(m.guild_id);
  if (state) {
    const ids: string[] = [];
    for (const id of state.members.keys()) if (id !== m.author.id) ids.push(id);
    return { ids, rolesOf: (id) => state.members.get(id) ?? NO_ROLES };
  }
  const [memberRows, links] = await Promise.all([
    ctx.db.select({ id: members.userId }).from(members).where(eq(members.guildId, m.guild_id)),
    ctx.db.select({ userId: memberRoles.userId, roleId: memberRoles.roleId }).from(memberRoles).where(eq(memberRoles.guildId, m.guild_id)),
  ]);
  const roles = new Map<string, string[]>(memberRows.filter((r) => r.id !== m.author.id).map((r) => [r.id, []]));
  for (const l of links) roles.get(l.userId)?.push(l.roleId);
  return { ids: [...roles.keys()], rolesOf: (id) => roles.get(id) ?? NO_ROLES };
}

/** `@here` (without `@everyone`) only pings members who show as present. */
const isHereOnly = (content: string) => /@here\b/.test(content) && !/@everyone\b/.test(content);

/**
 * Who this message would notify, and why not for the others: settings, mutes, Do Not Disturb and
 * blocks. Channel visibility and "is a session of theirs active" are the worker's to check, at
 * send time. Reads settings fresh from the database, so a mute takes effect on the next message.
 */
export async function decideRecipients(
  ctx: AppContext,
  m: MessageEvent,
  now = new Date(),
  opts: { skipOnline?: boolean; reachable?: (ids: string[]) => Promise<Set<string>> } = {},
): Promise<RecipientDecision[]> {
  const candidates = await loadCandidates(ctx, m);
  let ids = candidates.ids;
  if (!ids.length) return [];
  const statuses = ctx.presence ? await ctx.presence.get(ids) : new Map<string, string>();
  // skipOnline (the push worker): members shown online get no push, so their settings and blocks
  // are not loaded. In a busy guild most members are online: three queries of ~1,000 parameters
  // per message were a quarter of the server's CPU in the fan-out benchmark.
  if (opts.skipOnline) ids = ids.filter((id) => statuses.get(id) !== 'online');
  // reachable (the push worker): members with no device to push to are left out before the
  // settings and blocks queries; in a friend group most offline members have none.
  if (opts.reachable && ids.length) {
    const can = await opts.reachable(ids);
    ids = ids.filter((id) => can.has(id));
  }
  if (!ids.length) return [];
  const [settings, blockers, guildDefault] = await Promise.all([
    loadSettingsOf(ctx.db, m.guild_id ?? DM_SETTINGS_ID, ids),
    loadBlockers(ctx, ids, m.author.id),
    m.guild_id ? loadGuildDefault(ctx, m.guild_id) : Promise.resolve(0),
  ]);
  const mentioned = new Set(m.mentions.map((u) => u.id));
  const pingedRoles = new Set(m.mention_roles);
  const hereOnly = m.mention_everyone && isHereOnly(m.content);
  return ids.map((userId) => {
    const status = statuses.get(userId) ?? 'offline';
    const decision = decideNotify(
      toSettings(settings.get(userId)),
      {
        channelId: m.channel_id,
        guildId: m.guild_id ?? null,
        guildDefault,
        mentionsUser: mentioned.has(userId),
        mentionsRole: pingedRoles.size > 0 && candidates.rolesOf(userId).some((r) => pingedRoles.has(r)),
        mentionsEveryone: m.mention_everyone && (!hereOnly || status !== 'offline'),
      },
      { now, status, blocked: blockers.has(userId) },
    );
    return { userId, decision, status };
  });
}

async function loadGuildDefault(ctx: AppContext, guildId: string): Promise<number> {
  const state = await guildStateCacheOf(ctx.db)?.guild(guildId);
  if (state) return state.guild.defaultMessageNotifications ?? 0;
  const [g] = await ctx.db.select({ level: guilds.defaultMessageNotifications }).from(guilds).where(eq(guilds.id, guildId)).limit(1);
  return g?.level ?? 0;
}

/** Names for a notification's title: the channel's and the guild's (null for DMs). */
export async function loadPlaceNames(ctx: AppContext, channelId: string) {
  const [row] = await ctx.db
    .select({ channel: channels.name, type: channels.type, guild: guilds.name })
    .from(channels)
    .leftJoin(guilds, eq(guilds.id, channels.guildId))
    .where(and(eq(channels.id, channelId)))
    .limit(1);
  return row;
}
