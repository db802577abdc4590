/**
 * The user's notification settings per guild (key `@me` for DMs), from READY's
 * `user_guild_settings` and USER_GUILD_SETTINGS_UPDATE. Pure reducer plus the questions the UI
 * asks: is this channel muted (greyed, no unread badge), and does this message notify me.
 */

import type { Dispatch } from '../gateway/socket';

export interface MuteConfig {
  end_time: string | null;
  selected_time_window: number | null;
}

export interface ChannelOverride {
  channel_id: string;
  message_notifications: number;
  muted: boolean;
  mute_config: MuteConfig | null;
  collapsed?: boolean;
}

export interface GuildSettings {
  guild_id: string | null;
  message_notifications: number;
  muted: boolean;
  mute_config: MuteConfig | null;
  suppress_everyone: boolean;
  suppress_roles: boolean;
  channel_overrides: ChannelOverride[];
  version: number;
  [extra: string]: unknown;
}

export interface NotificationSettingsState {
  /** guild id, or `@me` for DMs. */
  byGuild: Record<string, GuildSettings>;
}

export const emptyNotificationSettings: NotificationSettingsState = { byGuild: {} };

const keyOf = (guildId: string | null | undefined) => guildId ?? '@me';

export function reduceNotificationSettings(s: NotificationSettingsState, { t, d }: Dispatch): NotificationSettingsState {
  switch (t) {
    case 'READY': {
      const entries: GuildSettings[] = d.user_guild_settings?.entries ?? [];
      return { byGuild: Object.fromEntries(entries.map((e) => [keyOf(e.guild_id), e])) };
    }
    case 'USER_GUILD_SETTINGS_UPDATE':
      return { byGuild: { ...s.byGuild, [keyOf(d.guild_id)]: d } };
    default:
      return s;
  }
}

/** A mute in force: set, and its end time (if any) still ahead. */
export function muteActive(muted: boolean | undefined, cfg: MuteConfig | null | undefined, now = Date.now()): boolean {
  if (!muted) return false;
  return !cfg?.end_time || Date.parse(cfg.end_time) > now;
}

export function guildSettings(s: NotificationSettingsState, guildId: string | null): GuildSettings | undefined {
  return s.byGuild[keyOf(guildId)];
}

export function channelOverride(s: NotificationSettingsState, guildId: string | null, channelId: string) {
  return guildSettings(s, guildId)?.channel_overrides.find((o) => o.channel_id === channelId);
}

export function isGuildMuted(s: NotificationSettingsState, guildId: string | null, now = Date.now()): boolean {
  const g = guildSettings(s, guildId);
  return muteActive(g?.muted, g?.mute_config, now);
}

/** The channel itself is muted (its override), regardless of the guild. */
export function isChannelMuted(s: NotificationSettingsState, guildId: string | null, channelId: string, now = Date.now()): boolean {
  const o = channelOverride(s, guildId, channelId);
  return muteActive(o?.muted, o?.mute_config, now);
}

/** The level in force for a channel: 0 all, 1 only mentions, 2 nothing. DMs: all. */
export function effectiveLevel(s: NotificationSettingsState, guildId: string | null, channelId: string, guildDefault = 0): number {
  const o = channelOverride(s, guildId, channelId);
  if (o && o.message_notifications !== 3) return o.message_notifications;
  if (guildId === null) return 0;
  return guildSettings(s, guildId)?.message_notifications ?? guildDefault;
}

export interface IncomingMessage {
  channel_id: string;
  guild_id?: string | null;
  author: { id: string };
  mentions?: Array<{ id: string }>;
  mention_roles?: string[];
  mention_everyone?: boolean;
}

/**
 * Should this message raise a desktop notification / sound (the server's rules, decide.ts):
 * never our own, not while Do Not Disturb, not in a muted guild or channel; then by level.
 */
export function messageNotifies(
  s: NotificationSettingsState,
  m: IncomingMessage,
  me: string,
  opts: { myRoles?: string[]; status?: string; guildDefault?: number; now?: number } = {},
): boolean {
  if (m.author.id === me || opts.status === 'dnd') return false;
  const guildId = m.guild_id ?? null;
  const now = opts.now ?? Date.now();
  if (isGuildMuted(s, guildId, now) || isChannelMuted(s, guildId, m.channel_id, now)) return false;
  const g = guildSettings(s, guildId);
  const mention =
    (m.mentions ?? []).some((u) => u.id === me) ||
    (!g?.suppress_roles && (m.mention_roles ?? []).some((r) => (opts.myRoles ?? []).includes(r))) ||
    (!g?.suppress_everyone && !!m.mention_everyone);
  const level = effectiveLevel(s, guildId, m.channel_id, opts.guildDefault);
  return level === 0 || (level === 1 && mention);
}
