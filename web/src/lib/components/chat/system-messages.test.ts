import { describe, expect, it } from 'vitest';
import type { Message } from '$lib/api/types';
import { blockedRuns, systemText } from './system-messages';

const user = (id: string) => ({
  id,
  username: `u${id}`,
  discriminator: '0',
  global_name: null,
  avatar: null,
  bot: false,
  system: false,
  public_flags: 0,
});
const msg = (id: string, author: string, type = 0, extra: Partial<Message> & { call?: unknown } = {}) =>
  ({
    id,
    channel_id: '1',
    author: user(author),
    content: '',
    timestamp: '2026-01-01T00:00:00.000Z',
    edited_timestamp: null,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type,
    ...extra,
  }) as Message;
const name = (u: { username: string }) => u.username;

describe('systemText', () => {
  it('describes group changes', () => {
    expect(systemText(msg('1', '7', 1, { mentions: [user('8')] }), name)).toBe('u7 added u8 to the group.');
    expect(systemText(msg('1', '7', 2, { mentions: [user('8')] }), name)).toBe('u7 removed u8 from the group.');
    expect(systemText(msg('1', '7', 2, { mentions: [user('7')] }), name)).toBe('u7 left the group.');
    expect(systemText(msg('1', '7', 4, { content: 'Trip' }), name)).toBe('u7 changed the channel name: Trip');
  });
  it('describes calls: running, ended with a duration, missed', () => {
    expect(systemText(msg('1', '7', 3, { call: { participants: ['7'], ended_timestamp: null } }), name, '8')).toBe('u7 started a call.');
    const ended = msg('1', '7', 3, { call: { participants: ['7', '8'], ended_timestamp: '2026-01-01T00:02:00.000Z' } });
    expect(systemText(ended, name, '8')).toBe('u7 started a call that lasted 2 minutes.');
    const missed = msg('1', '7', 3, { call: { participants: ['7'], ended_timestamp: '2026-01-01T00:00:30.000Z' } });
    expect(systemText(missed, name, '8')).toBe('You missed a call from u7.');
  });
});

describe('blockedRuns', () => {
  it('groups consecutive messages by blocked users', () => {
    const items = [msg('1', 'a'), msg('2', 'b'), msg('3', 'b'), msg('4', 'a'), msg('5', 'b')];
    const runs = blockedRuns(items, (id) => id === 'b');
    expect(runs.map((r) => r && `${r.start}:${r.count}`)).toEqual([undefined, '2:2', '2:2', undefined, '5:1']);
  });
});
