import type { User } from '@retrocast/protocol';
import type { channels, guilds, members, permissionOverwrites, roles } from '../db/schema.js';

/**
 * Discord object shapes for guild-side rows. The only place these rows become JSON, used by REST
 * responses and gateway payloads alike.
 */
export type GuildRow = typeof guilds.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type RoleRow = typeof roles.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type OverwriteRow = typeof permissionOverwrites.$inferSelect;

export function toWireRole(r: RoleRow) {
  return {
    id: r.id,
    name: r.name,
    color: r.color,
    // Discord's gradient colours; discord.js reads role.colors.primary_color.
    colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
    hoist: r.hoist,
    icon: null,
    unicode_emoji: null,
    // Discord's GuildRoleResponse has it; no role descriptions here.
    description: null,
    position: r.position,
    permissions: r.permissions,
    managed: r.managed,
    mentionable: r.mentionable,
    flags: 0,
    ...(r.botId ? { tags: { bot_id: r.botId } } : {}),
  };
}
export type WireRole = ReturnType<typeof toWireRole>;

export function toWireOverwrite(o: OverwriteRow) {
  return { id: o.targetId, type: o.type, allow: o.allow, deny: o.deny };
}

export function toWireChannel(c: ChannelRow, overwrites: OverwriteRow[] = []) {
  const base = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId ?? undefined,
    name: c.name,
    position: c.position,
    parent_id: c.parentId,
    permission_overwrites: overwrites.map(toWireOverwrite),
    flags: 0,
  };
  // Discord sends nsfw on voice channels and categories too (discord.py/discord.js read it on every guild channel).
  if (c.type === 2) return { ...base, nsfw: c.nsfw, bitrate: c.bitrate ?? 64000, user_limit: c.userLimit ?? 0, rtc_region: null };
  if (c.type === 4) return { ...base, nsfw: c.nsfw };
  return {
    ...base,
    topic: c.topic,
    nsfw: c.nsfw,
    last_message_id: c.lastMessageId,
    rate_limit_per_user: c.rateLimitPerUser,
    last_pin_timestamp: c.lastPinTimestamp?.toISOString() ?? null,
  };
}
export type WireChannel = ReturnType<typeof toWireChannel>;

export function toWireMember(m: MemberRow, user: User, roleIds: string[]) {
  return {
    user,
    nick: m.nick,
    avatar: null,
    roles: roleIds,
    joined_at: m.joinedAt.toISOString(),
    premium_since: null,
    deaf: m.deaf,
    mute: m.mute,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
    // Per-guild profile banner and avatar decoration (Discord's GuildMemberResponse): none here.
    banner: null,
    avatar_decoration_data: null,
  };
}
export type WireMember = ReturnType<typeof toWireMember>;

export function toWireGuild(g: GuildRow, roleRows: RoleRow[], extra: { emojis?: unknown[] } = {}) {
  return {
    id: g.id,
    name: g.name,
    icon: g.icon,
    splash: null,
    owner_id: g.ownerId,
    description: g.description,
    afk_channel_id: g.afkChannelId,
    afk_timeout: g.afkTimeout,
    system_channel_id: g.systemChannelId,
    verification_level: g.verificationLevel,
    default_message_notifications: g.defaultMessageNotifications,
    explicit_content_filter: 0,
    mfa_level: 0,
    premium_tier: 0,
    nsfw_level: 0,
    preferred_locale: 'en-US',
    features: [] as string[],
    roles: roleRows.sort((a, b) => a.position - b.position || (BigInt(a.id) < BigInt(b.id) ? -1 : 1)).map(toWireRole),
    emojis: extra.emojis ?? [],
    stickers: [],
    // Fields Discord's schema requires that Retrocast has no feature for: fixed defaults.
    home_header: null,
    discovery_splash: null,
    banner: null,
    application_id: null,
    region: 'deprecated',
    system_channel_flags: 0,
    widget_enabled: false,
    widget_channel_id: null,
    max_presences: null,
    max_members: 500000,
    max_stage_video_channel_users: 0,
    max_video_channel_users: 25,
    vanity_url_code: null,
    premium_subscription_count: 0,
    rules_channel_id: null,
    safety_alerts_channel_id: null,
    public_updates_channel_id: null,
    premium_progress_bar_enabled: false,
    nsfw: false,
  };
}
export type WireGuild = ReturnType<typeof toWireGuild>;
