import { describe, expect, it } from 'vitest';
import {
  emptyNotificationSettings,
  isChannelMuted,
  isGuildMuted,
  messageNotifies,
  reduceNotificationSettings,
} from './notification-settings';

const settings = (over: Record<string, unknown>) => ({
  guild_id: 'g',
  message_notifications: 0,
  muted: false,
  mute_config: null,
  suppress_everyone: false,
  suppress_roles: false,
  channel_overrides: [],
  version: 1,
  ...over,
});
const msg = (over: Record<string, unknown> = {}) => ({
  channel_id: 'c',
  guild_id: 'g',
  author: { id: 'bob' },
  mentions: [],
  mention_roles: [],
  mention_everyone: false,
  ...over,
});

describe('notification settings reducer', () => {
  it('READY entries by guild (null → @me), then USER_GUILD_SETTINGS_UPDATE replaces one', () => {
    let s = reduceNotificationSettings(emptyNotificationSettings, {
      t: 'READY',
      d: { user_guild_settings: { entries: [settings({}), settings({ guild_id: null })], partial: false, version: 1 } },
    });
    expect(Object.keys(s.byGuild).sort()).toEqual(['@me', 'g']);
    s = reduceNotificationSettings(s, { t: 'USER_GUILD_SETTINGS_UPDATE', d: settings({ muted: true }) });
    expect(isGuildMuted(s, 'g')).toBe(true);
  });

  it('mutes expire; levels, suppressions and DND decide', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const end = new Date(now + 60_000).toISOString();
    const s = {
      byGuild: {
        g: settings({
          channel_overrides: [
            { channel_id: 'c', message_notifications: 3, muted: true, mute_config: { end_time: end, selected_time_window: 60 } },
          ],
        }),
      },
    };
    expect(isChannelMuted(s, 'g', 'c', now)).toBe(true);
    expect(isChannelMuted(s, 'g', 'c', now + 60_000)).toBe(false);
    expect(messageNotifies(s, msg(), 'me', { now })).toBe(false);
    expect(messageNotifies(s, msg(), 'me', { now: now + 61_000 })).toBe(true);
    const mentionsOnly = { byGuild: { g: settings({ message_notifications: 1, suppress_everyone: true }) } };
    expect(messageNotifies(mentionsOnly, msg(), 'me')).toBe(false);
    expect(messageNotifies(mentionsOnly, msg({ mention_everyone: true }), 'me')).toBe(false);
    expect(messageNotifies(mentionsOnly, msg({ mentions: [{ id: 'me' }] }), 'me')).toBe(true);
    expect(messageNotifies(mentionsOnly, msg({ mentions: [{ id: 'me' }] }), 'me', { status: 'dnd' })).toBe(false);
    expect(messageNotifies(mentionsOnly, msg({ author: { id: 'me' } }), 'me')).toBe(false);
  });
});
