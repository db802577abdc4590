import { computeChannelPermissions, Errors, hasPermission, Permissions, type SearchQuery } from '@retrocast/protocol';
import { eq, inArray } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Queryable } from '../db/client.js';
import { channels, permissionOverwrites } from '../db/schema.js';
import { ApiError, invalidField } from '../http/errors.js';
import { toWireMessages } from '../messages/service.js';
import { idInRange } from '../messages/store.js';
import { accessChannel, accessGuild, type GuildAccess } from '../permissions/access.js';
import { searchMessages } from './store.js';

const READABLE = Permissions.VIEW_CHANNEL | Permissions.READ_MESSAGE_HISTORY;

/** Text channels of the guild where the member has VIEW_CHANNEL and READ_MESSAGE_HISTORY. */
async function readableChannels(q: Queryable, access: GuildAccess): Promise<string[]> {
  const rows = await q.select({ id: channels.id, type: channels.type }).from(channels).where(eq(channels.guildId, access.guild.id));
  const text = rows.filter((c) => c.type === 0).map((c) => c.id);
  if (!text.length) return [];
  const overwrites = await q.select().from(permissionOverwrites).where(inArray(permissionOverwrites.channelId, text));
  return text.filter((id) => {
    const own = overwrites
      .filter((o) => o.channelId === id)
      .map((o) => ({ id: o.targetId, type: o.type as 0 | 1, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
    return hasPermission(computeChannelPermissions(access.ctx, own), READABLE);
  });
}

/**
 * Guild message search. Only channels the caller can read are searched, so a hidden channel never
 * shows up, even when named in channel_id (that just yields no results). Discord's response shape.
 */
export async function accessSearch(ctx: AppContext, who: Caller, guildId: string, query: SearchQuery) {
  if (!idInRange(guildId)) throw new ApiError(Errors.UNKNOWN_GUILD);
  checkIds(query);
  const access = await accessGuild(ctx.db, guildId, who.id);
  let channelIds = await readableChannels(ctx.db, access);
  if (query.channel_id) channelIds = channelIds.filter((id) => id === query.channel_id);
  return searchIn(ctx, channelIds, query);
}

async function searchIn(ctx: AppContext, channelIds: string[], query: SearchQuery) {
  if (!channelIds.length) return { total_results: 0, messages: [] };
  const { total, rows } = await searchMessages(ctx.db, {
    channelIds,
    content: query.content?.replaceAll('\0', ''),
    authorId: query.author_id,
    mentions: query.mentions,
    has: query.has,
    before: query.before ?? query.max_id,
    after: query.after ?? query.min_id,
    offset: query.offset ?? 0,
    limit: query.limit ?? 25,
  });
  const wire = await toWireMessages(ctx.db, rows);
  return { total_results: total, messages: wire.map((m) => [{ ...m, hit: true }]) };
}

function checkIds(query: SearchQuery) {
  for (const k of ['author_id', 'channel_id', 'mentions', 'before', 'after', 'min_id', 'max_id'] as const) {
    const v = query[k];
    if (v !== undefined && !idInRange(v)) throw invalidField(k, 'NUMBER_TYPE_COERCE', `Value "${v}" is not snowflake.`);
  }
}

/** Search in one DM or group DM (GET /channels/{id}/messages/search): recipients only. */
export async function accessChannelSearch(ctx: AppContext, who: Caller, channelId: string, query: SearchQuery) {
  if (!idInRange(channelId)) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  checkIds(query);
  const { channel } = await accessChannel(ctx.db, channelId, who.id, READABLE);
  if (channel.guildId) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  return searchIn(ctx, [channelId], query);
}
