/**
 * MESSAGE_REACTION_* dispatches applied to loaded history: counts per emoji, and `me` for the
 * signed-in user's own reactions. Pure, like the other reducers; the acting client updates from
 * the echoed dispatch too.
 */
import type { Dispatch } from '../gateway/socket';
import type { Reaction } from '../api/types';
import type { MessagesState } from '../state/messages';
import { emojiKey, type ReactionEmoji } from './types';

function applyOne(list: Reaction[], t: string, d: { user_id?: string; emoji?: ReactionEmoji }, selfId: string): Reaction[] {
  const key = d.emoji ? emojiKey(d.emoji) : '';
  const same = (r: Reaction) => emojiKey(r.emoji) === key;
  switch (t) {
    case 'MESSAGE_REACTION_ADD': {
      const mine = d.user_id === selfId;
      if (!list.some(same)) return [...list, { count: 1, me: mine, emoji: d.emoji as Reaction['emoji'] }];
      return list.map((r) => (same(r) ? { ...r, count: r.count + 1, me: r.me || mine } : r));
    }
    case 'MESSAGE_REACTION_REMOVE':
      return list
        .map((r) => (same(r) ? { ...r, count: r.count - 1, me: r.me && d.user_id !== selfId } : r))
        .filter((r) => r.count > 0);
    case 'MESSAGE_REACTION_REMOVE_EMOJI':
      return list.filter((r) => !same(r));
    case 'MESSAGE_REACTION_REMOVE_ALL':
      return [];
    default:
      return list;
  }
}

export function reduceReactions(s: MessagesState, { t, d }: Dispatch, selfId: string): MessagesState {
  if (!t?.startsWith('MESSAGE_REACTION_')) return s;
  const h = s.channels[d.channel_id];
  if (!h || !h.items.some((m) => m.id === d.message_id)) return s;
  const items = h.items.map((m) => (m.id === d.message_id ? { ...m, reactions: applyOne(m.reactions ?? [], t, d, selfId) } : m));
  return { ...s, channels: { ...s.channels, [d.channel_id]: { ...h, items } } };
}
