/**
 * DMs (type 1) and group DMs (type 3) the user is in, by id. Channel events without a guild_id are
 * ours; recipients are the *other* members, as the server sends them.
 */
import type { User } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { cmpId, newer } from '../util/snowflake';

export interface PrivateChannel {
  id: string;
  type: number;
  last_message_id: string | null;
  recipients: User[];
  flags?: number;
  name?: string | null;
  owner_id?: string | null;
  icon?: string | null;
}

export type PrivateChannelsState = Record<string, PrivateChannel>;

const isPrivate = (d: { guild_id?: string; type?: number } | null | undefined) => !!d && !d.guild_id && (d.type === 1 || d.type === 3);

export function reducePrivateChannels(s: PrivateChannelsState, { t, d }: Dispatch): PrivateChannelsState {
  switch (t) {
    case 'READY':
      return Object.fromEntries(((d.private_channels ?? []) as PrivateChannel[]).map((c) => [c.id, c]));
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE': {
      if (!isPrivate(d)) return s;
      const prev = s[d.id];
      const last = prev && newer(prev.last_message_id, d.last_message_id) ? prev.last_message_id : d.last_message_id;
      return { ...s, [d.id]: { ...prev, ...(d as PrivateChannel), last_message_id: last ?? null } };
    }
    case 'CHANNEL_DELETE': {
      if (!isPrivate(d) || !(d.id in s)) return s;
      const { [d.id]: _gone, ...rest } = s;
      return rest;
    }
    case 'CHANNEL_RECIPIENT_ADD':
    case 'CHANNEL_RECIPIENT_REMOVE': {
      const c = s[d.channel_id];
      if (!c) return s;
      const others = c.recipients.filter((u) => u.id !== d.user.id);
      return { ...s, [c.id]: { ...c, recipients: t === 'CHANNEL_RECIPIENT_ADD' ? [...others, d.user] : others } };
    }
    case 'MESSAGE_CREATE': {
      const c = d.guild_id ? undefined : s[d.channel_id];
      if (!c || !newer(d.id, c.last_message_id)) return s;
      return { ...s, [c.id]: { ...c, last_message_id: d.id } };
    }
    default:
      return s;
  }
}

/** Newest activity first (a channel without messages counts from its creation). */
export function sortPrivateChannels(s: PrivateChannelsState): PrivateChannel[] {
  return Object.values(s).sort((a, b) => cmpId(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
}

/** What the DM list and header show: the group's name, or its members' names. */
export function privateChannelName(c: PrivateChannel, nameOf: (u: User) => string = (u) => u.global_name ?? u.username): string {
  if (c.type === 3) return c.name || c.recipients.map(nameOf).join(', ') || 'Unnamed';
  return c.recipients[0] ? nameOf(c.recipients[0]) : 'Unknown';
}
