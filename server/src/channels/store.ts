import { computeChannelPermissions, Permissions } from '@retrocast/protocol';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { channels, permissionOverwrites } from '../db/schema.js';
import { type ChannelRow, type OverwriteRow, toWireChannel } from '../guilds/wire.js';
import { flushLastMessages } from '../messages/last-message.js';
import type { GuildAccess } from '../permissions/access.js';

export async function loadOverwriteRows(q: Queryable, channelIds: string[]): Promise<Map<string, OverwriteRow[]>> {
  const out = new Map<string, OverwriteRow[]>();
  if (!channelIds.length) return out;
  const rows = await q.select().from(permissionOverwrites).where(inArray(permissionOverwrites.channelId, channelIds));
  for (const r of rows) out.set(r.channelId, [...(out.get(r.channelId) ?? []), r]);
  return out;
}

export async function loadWireChannel(q: Queryable, channel: ChannelRow) {
  const ow = await loadOverwriteRows(q, [channel.id]);
  return toWireChannel(channel, ow.get(channel.id) ?? []);
}

export function overwritesForAlgorithm(rows: OverwriteRow[]) {
  return rows.map((o) => ({ id: o.targetId, type: o.type as 0 | 1, allow: BigInt(o.allow), deny: BigInt(o.deny) }));
}

/** The guild's channels the member can VIEW_CHANNEL, as wire objects with their overwrites. */
export async function loadVisibleChannels(q: Queryable, access: GuildAccess) {
  await flushLastMessages(q as Db);
  const rows = await q
    .select()
    .from(channels)
    .where(eq(channels.guildId, access.guild.id))
    .orderBy(asc(channels.position), asc(channels.id));
  const ow = await loadOverwriteRows(
    q,
    rows.map((c) => c.id),
  );
  return rows
    .filter((c) => computeChannelPermissions(access.ctx, overwritesForAlgorithm(ow.get(c.id) ?? [])) & Permissions.VIEW_CHANNEL)
    .map((c) => toWireChannel(c, ow.get(c.id) ?? []));
}
