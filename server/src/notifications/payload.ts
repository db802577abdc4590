import { isSnowflake, type PushPayload } from '@retrocast/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { channels, roles } from '../db/schema.js';
import type { MessageEvent } from './recipients.js';
import { loadPlaceNames } from './recipients.js';

const MAX_BODY = 240;

export interface Names {
  users: Map<string, string>;
  roles: Map<string, string>;
  channels: Map<string, string>;
}

/** Message text as a notification shows it: mentions as @name / #channel, custom emoji as :name:. */
export function plainText(content: string, names: Names): string {
  const text = content
    .replace(/<@!?(\d+)>/g, (_, id) => `@${names.users.get(id) ?? 'unknown-user'}`)
    .replace(/<@&(\d+)>/g, (_, id) => `@${names.roles.get(id) ?? 'deleted-role'}`)
    .replace(/<#(\d+)>/g, (_, id) => `#${names.channels.get(id) ?? 'unknown-channel'}`)
    .replace(/<a?:(\w+):\d+>/g, ':$1:')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}

const displayName = (u: { username: string; global_name?: string | null }) => u.global_name || u.username;

async function loadNames(ctx: AppContext, m: MessageEvent): Promise<Names> {
  const users = new Map<string, string>();
  for (const u of m.mentions as Array<{ id: string; username: string; global_name?: string | null }>) users.set(u.id, displayName(u));
  const roleIds = [...m.content.matchAll(/<@&(\d{1,19})>/g)].map((x) => x[1]).filter(isSnowflake);
  const channelIds = [...m.content.matchAll(/<#(\d{1,19})>/g)].map((x) => x[1]).filter(isSnowflake);
  const [roleRows, channelRows] = await Promise.all([
    roleIds.length && m.guild_id
      ? ctx.db
          .select({ id: roles.id, name: roles.name })
          .from(roles)
          .where(and(eq(roles.guildId, m.guild_id), inArray(roles.id, roleIds.slice(0, 50))))
      : [],
    channelIds.length && m.guild_id
      ? ctx.db
          .select({ id: channels.id, name: channels.name })
          .from(channels)
          .where(and(eq(channels.guildId, m.guild_id), inArray(channels.id, channelIds.slice(0, 50))))
      : [],
  ]);
  return {
    users,
    roles: new Map(roleRows.map((r) => [r.id, r.name])),
    channels: new Map(channelRows.map((c) => [c.id, c.name ?? 'channel'])),
  };
}

/**
 * What one push says: "Author (#channel, Server)" and the message text; after a batch, "3 new
 * messages in #channel". The URL opens the channel in the web client.
 */
export async function buildPayload(ctx: AppContext, last: MessageEvent, count: number): Promise<PushPayload | null> {
  const place = await loadPlaceNames(ctx, last.channel_id);
  if (!place) return null;
  const member = (last as { member?: { nick?: string | null } }).member;
  const author = member?.nick || displayName(last.author);
  const where = place.guild ? `#${place.channel}, ${place.guild}` : place.type === 3 ? (place.channel ?? 'Group DM') : null;
  const title = count > 1 && place.guild ? `#${place.channel} (${place.guild})` : where ? `${author} (${where})` : author;
  const text = plainText(last.content, await loadNames(ctx, last));
  const body =
    count > 1
      ? place.guild
        ? `${count} new messages in #${place.channel}`
        : `${count} new messages from ${author}`
      : text || 'Sent an attachment.';
  return {
    title,
    body,
    url: `/channels/${last.guild_id ?? '@me'}/${last.channel_id}`,
    channel_id: last.channel_id,
    guild_id: last.guild_id ?? null,
    message_id: last.id,
    count,
    ...(last.author.avatar ? { icon: `/avatars/${last.author.id}/${last.author.avatar}.png?size=128` } : {}),
    tag: `ch-${last.channel_id}`,
  };
}
