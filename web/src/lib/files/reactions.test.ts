import { describe, expect, it } from 'vitest';
import type { Message } from '../api/types';
import type { MessagesState } from '../state/messages';
import { reduceReactions } from './reactions';

const msg = (id: string): Message =>
  ({ id, channel_id: 'c', author: { id: 'u1' }, content: '', timestamp: '', edited_timestamp: null, mention_everyone: false, mentions: [], mention_roles: [], attachments: [], embeds: [], pinned: false, type: 0 }) as unknown as Message;
const state = (): MessagesState => ({ channels: { c: { items: [msg('m1'), msg('m2')], hasMore: false } }, pending: [] });
const thumbs = { id: null, name: '👍' };
const ev = (t: string, d: Record<string, unknown>) => ({ t, d: { channel_id: 'c', message_id: 'm1', ...d } }) as never;
const reactionsOf = (s: MessagesState) => s.channels.c.items[0].reactions;

describe('reduceReactions', () => {
  it('counts adds from three users and marks my own', () => {
    let s = state();
    for (const u of ['me', 'u2', 'u3']) s = reduceReactions(s, ev('MESSAGE_REACTION_ADD', { user_id: u, emoji: thumbs }), 'me');
    expect(reactionsOf(s)).toEqual([{ count: 3, me: true, emoji: thumbs }]);
    expect(s.channels.c.items[1].reactions).toBeUndefined();
  });

  it('removes: mine clears me, the last one drops the emoji', () => {
    let s = state();
    s = reduceReactions(s, ev('MESSAGE_REACTION_ADD', { user_id: 'me', emoji: thumbs }), 'me');
    s = reduceReactions(s, ev('MESSAGE_REACTION_ADD', { user_id: 'u2', emoji: thumbs }), 'me');
    s = reduceReactions(s, ev('MESSAGE_REACTION_REMOVE', { user_id: 'me', emoji: thumbs }), 'me');
    expect(reactionsOf(s)).toEqual([{ count: 1, me: false, emoji: thumbs }]);
    s = reduceReactions(s, ev('MESSAGE_REACTION_REMOVE', { user_id: 'u2', emoji: thumbs }), 'me');
    expect(reactionsOf(s)).toEqual([]);
  });

  it('REMOVE_EMOJI drops one emoji, REMOVE_ALL every one; custom emoji match by id', () => {
    const gold = { id: '42', name: 'gold' };
    let s = state();
    s = reduceReactions(s, ev('MESSAGE_REACTION_ADD', { user_id: 'u2', emoji: thumbs }), 'me');
    s = reduceReactions(s, ev('MESSAGE_REACTION_ADD', { user_id: 'u2', emoji: gold }), 'me');
    s = reduceReactions(s, ev('MESSAGE_REACTION_REMOVE_EMOJI', { emoji: { id: '42', name: 'renamed' } }), 'me');
    expect(reactionsOf(s)?.map((r) => r.emoji.name)).toEqual(['👍']);
    s = reduceReactions(s, ev('MESSAGE_REACTION_REMOVE_ALL', {}), 'me');
    expect(reactionsOf(s)).toEqual([]);
  });

  it('ignores other events and unloaded messages', () => {
    const s = state();
    expect(reduceReactions(s, ev('MESSAGE_REACTION_ADD', { message_id: 'nope', user_id: 'u', emoji: thumbs }), 'me')).toBe(s);
    expect(reduceReactions(s, ev('TYPING_START', {}), 'me')).toBe(s);
  });
});
