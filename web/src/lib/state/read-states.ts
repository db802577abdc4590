/**
 * What the user has read: per channel, the last acked message and unread mentions. A channel is
 * unread when its last_message_id is newer than the ack. Our own messages count as read.
 */

import type { ReadState } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { newer } from '../util/snowflake';

export interface ReadStatesState {
  me: string | null;
  byChannel: Record<string, ReadState>;
}

export const emptyReadStates: ReadStatesState = { me: null, byChannel: {} };

function entries(raw: unknown): ReadState[] {
  if (Array.isArray(raw)) return raw;
  if (raw && typeof raw === 'object' && Array.isArray((raw as { entries?: unknown }).entries))
    return (raw as { entries: ReadState[] }).entries;
  return [];
}

export function reduceReadStates(
  s: ReadStatesState,
  { t, d }: Dispatch,
  myRoles: (guildId: string) => string[] = () => [],
): ReadStatesState {
  switch (t) {
    case 'READY':
      return { me: d.user.id, byChannel: Object.fromEntries(entries(d.read_state).map((r) => [r.id, r])) };
    case 'MESSAGE_ACK': {
      const prev = s.byChannel[d.channel_id];
      // Acks arrive in order per session, but ignore ones older than what we have.
      if (prev && newer(prev.last_message_id, d.message_id)) return s;
      return {
        ...s,
        byChannel: {
          ...s.byChannel,
          [d.channel_id]: { id: d.channel_id, last_message_id: d.message_id, mention_count: d.mention_count ?? 0 },
        },
      };
    }
    case 'MESSAGE_CREATE': {
      const prev = s.byChannel[d.channel_id] ?? { id: d.channel_id, last_message_id: null, mention_count: 0 };
      if (d.author?.id === s.me)
        return { ...s, byChannel: { ...s.byChannel, [d.channel_id]: { ...prev, last_message_id: d.id, mention_count: 0 } } };
      const roles = d.guild_id ? myRoles(d.guild_id) : [];
      const mentioned =
        d.mention_everyone ||
        (d.mentions ?? []).some((u: { id: string }) => u.id === s.me) ||
        (d.mention_roles ?? []).some((r: string) => roles.includes(r));
      // In DMs and group DMs every user message from someone else counts (the server counts them
      // too); system messages (recipient changes, calls) do not.
      const dmCounts = !d.guild_id && (d.type === undefined || d.type === 0 || d.type === 19);
      if (!mentioned && !dmCounts) return s;
      return { ...s, byChannel: { ...s.byChannel, [d.channel_id]: { ...prev, mention_count: prev.mention_count + 1 } } };
    }
    default:
      return s;
  }
}

export function isUnread(s: ReadStatesState, channelId: string, lastMessageId: string | null | undefined): boolean {
  return newer(lastMessageId, s.byChannel[channelId]?.last_message_id);
}

export function mentionCount(s: ReadStatesState, channelId: string): number {
  return s.byChannel[channelId]?.mention_count ?? 0;
}
