/**
 * Loaded message history per channel, plus sends in flight. History arrives from REST
 * (`LOCAL_HISTORY`), everything else from dispatches. A send is shown at once as pending; the
 * MESSAGE_CREATE echo carrying the same nonce replaces it, and a failed send stays with retry.
 */

import type { Message, User } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { cmpId } from '../util/snowflake';

export interface ChannelHistory {
  /** Oldest first. */
  items: Message[];
  /** More history exists before items[0]. */
  hasMore: boolean;
  /** Loaded around an older message (a jump): newer messages exist after the last item. */
  detached?: boolean;
}

export interface PendingMessage {
  nonce: string;
  channel_id: string;
  content: string;
  author: User;
  timestamp: string;
  failed: boolean;
  reply_to?: string;
}

export interface MessagesState {
  channels: Record<string, ChannelHistory>;
  pending: PendingMessage[];
}

export const emptyMessages: MessagesState = { channels: {}, pending: [] };
export const PAGE = 50;

function mergeSorted(a: Message[], b: Message[]): Message[] {
  const map = new Map(a.map((m) => [m.id, m]));
  for (const m of b) map.set(m.id, m);
  return [...map.values()].sort((x, y) => cmpId(x.id, y.id));
}

function patchChannel(s: MessagesState, id: string, fn: (h: ChannelHistory) => ChannelHistory): MessagesState {
  const h = s.channels[id];
  return h ? { ...s, channels: { ...s.channels, [id]: fn(h) } } : s;
}

export function reduceMessages(s: MessagesState, { t, d }: Dispatch): MessagesState {
  switch (t) {
    case 'READY':
      // A new session may have missed anything: keep nothing, views refetch.
      return { channels: {}, pending: s.pending };
    case 'LOCAL_HISTORY': {
      // d: {channel_id, messages (newest first, as REST returns them), before?, limit}
      const page = (d.messages as Message[]).slice().reverse();
      const full = page.length >= (d.limit ?? PAGE);
      const prev = s.channels[d.channel_id];
      let h: ChannelHistory;
      if (d.around) {
        // A jump: joins what we have when the pages touch, else replaces it (detached from the present).
        const touches = prev?.items.length && page.length && cmpId(page[page.length - 1].id, prev.items[0].id) >= 0 && !prev.detached;
        h = touches
          ? { items: mergeSorted(prev.items, page), hasMore: true }
          : { items: page, hasMore: true, detached: page.length >= (d.limit ?? PAGE) / 2 };
      } else if (prev?.detached && !d.before) h = { items: page, hasMore: full };
      else if (d.before) h = { items: mergeSorted(prev?.items ?? [], page), hasMore: full, detached: prev?.detached };
      else if (prev?.items.length && (!full || cmpId(page[0].id, prev.items[prev.items.length - 1].id) <= 0))
        h = { items: mergeSorted(prev.items, page), hasMore: prev.hasMore }; // overlaps what we had: no gap
      else h = { items: page, hasMore: full };
      return { ...s, channels: { ...s.channels, [d.channel_id]: h } };
    }
    case 'LOCAL_PENDING':
      return { ...s, pending: [...s.pending.filter((p) => p.nonce !== d.nonce), { ...(d as PendingMessage), failed: false }] };
    case 'LOCAL_SEND_FAILED':
      return { ...s, pending: s.pending.map((p) => (p.nonce === d.nonce ? { ...p, failed: true } : p)) };
    case 'LOCAL_DISCARD':
      return { ...s, pending: s.pending.filter((p) => p.nonce !== d.nonce) };
    case 'MESSAGE_CREATE': {
      const m = d as Message;
      const pending = m.nonce != null ? s.pending.filter((p) => p.nonce !== String(m.nonce)) : s.pending;
      const next = pending === s.pending ? s : { ...s, pending };
      return patchChannel(next, m.channel_id, (h) => ({ ...h, items: mergeSorted(h.items, [m]) }));
    }
    case 'MESSAGE_UPDATE':
      return patchChannel(s, d.channel_id, (h) => ({ ...h, items: h.items.map((m) => (m.id === d.id ? { ...m, ...d } : m)) }));
    case 'MESSAGE_DELETE':
      return patchChannel(s, d.channel_id, (h) => ({ ...h, items: h.items.filter((m) => m.id !== d.id) }));
    case 'MESSAGE_DELETE_BULK': {
      const ids = new Set(d.ids as string[]);
      return patchChannel(s, d.channel_id, (h) => ({ ...h, items: h.items.filter((m) => !ids.has(m.id)) }));
    }
    case 'CHANNEL_DELETE': {
      const { [d.id]: _gone, ...channels } = s.channels;
      return { ...s, channels };
    }
    case 'CHANNEL_UPDATE':
    case 'GUILD_DELETE':
    case 'GUILD_ROLE_UPDATE':
    case 'GUILD_MEMBER_UPDATE':
      // Visibility may have changed; cached history stays and is refetched when the view asks.
      return s;
    default:
      return s;
  }
}
