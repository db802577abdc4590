import type { ChannelOverrideRow } from '../db/schema.js';

/** A recipient's stored settings for the message's guild (or their DM settings); undefined fields: defaults. */
export interface RecipientSettings {
  /** Null/undefined: the guild's default. */
  messageNotifications?: number | null;
  muted?: boolean;
  muteEndTime?: Date | null;
  suppressEveryone?: boolean;
  suppressRoles?: boolean;
  channelOverrides?: Record<string, ChannelOverrideRow>;
}

/** What the message means for this one recipient (mentions already resolved and permitted by the server). */
export interface MessageForRecipient {
  channelId: string;
  /** Null for DMs and group DMs. */
  guildId: string | null;
  /** The guild's default_message_notifications (0 all, 1 only mentions). */
  guildDefault: number;
  /** Named directly (`<@id>`, or a reply that pings them). */
  mentionsUser: boolean;
  /** One of their roles was pinged. */
  mentionsRole: boolean;
  /** `@everyone`, or `@here` while they show as present. */
  mentionsEveryone: boolean;
}

export type Silence = 'dnd' | 'blocked' | 'guild_muted' | 'channel_muted' | 'level_nothing' | 'not_mentioned';
export type Decision = { notify: true; mention: boolean } | { notify: false; why: Silence };

/** A mute is in force when set and its end time (if any) is still ahead. */
export function isMuteActive(muted: boolean | undefined, endTime: Date | string | null | undefined, now: Date): boolean {
  if (!muted) return false;
  if (endTime === null || endTime === undefined) return true;
  return new Date(endTime).getTime() > now.getTime();
}

/**
 * The level in force for a channel: the channel override unless it inherits (3), else the user's
 * guild setting, else the guild's default. DMs notify on every message.
 */
export function effectiveLevel(s: RecipientSettings, m: Pick<MessageForRecipient, 'channelId' | 'guildId' | 'guildDefault'>): number {
  const override = s.channelOverrides?.[m.channelId];
  if (override && override.message_notifications !== 3) return override.message_notifications;
  if (m.guildId === null) return 0;
  return s.messageNotifications ?? m.guildDefault;
}

/**
 * Does this message notify this recipient? Discord's rules, in order: Do Not Disturb and blocks
 * silence everything; a muted guild (or the DM settings) and a muted channel silence it; then the
 * level: nothing → never, all → always, only mentions → a direct mention always, a role mention
 * unless suppress_roles, @everyone/@here unless suppress_everyone. Pure: no clock but `now`.
 */
export function decideNotify(
  s: RecipientSettings,
  m: MessageForRecipient,
  ctx: { now: Date; status?: string; blocked?: boolean },
): Decision {
  if (ctx.status === 'dnd') return { notify: false, why: 'dnd' };
  if (ctx.blocked) return { notify: false, why: 'blocked' };
  if (isMuteActive(s.muted, s.muteEndTime, ctx.now)) return { notify: false, why: 'guild_muted' };
  const override = s.channelOverrides?.[m.channelId];
  if (override && isMuteActive(override.muted, override.mute_end_time, ctx.now)) return { notify: false, why: 'channel_muted' };
  const mention = m.mentionsUser || (m.mentionsRole && !s.suppressRoles) || (m.mentionsEveryone && !s.suppressEveryone);
  const level = effectiveLevel(s, m);
  if (level === 2) return { notify: false, why: 'level_nothing' };
  if (level === 0) return { notify: true, mention };
  return mention ? { notify: true, mention } : { notify: false, why: 'not_mentioned' };
}
