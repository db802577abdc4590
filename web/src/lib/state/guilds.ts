/**
 * Guilds, their channels, roles and members, as one immutable tree. `reduceGuilds` is the only
 * writer: a pure function of (state, dispatch), so tests can replay events against a snapshot.
 */

import type { Channel, Guild, Member, Role } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import { cmpId, newer } from '../util/snowflake';

export interface GuildEntry extends Omit<Guild, 'channels' | 'members' | 'presences'> {
  channels: Channel[];
  roles: Role[];
  members: Record<string, Member>;
}

export interface GuildsState {
  /** Guild ids in rail order (join order). */
  order: string[];
  byId: Record<string, GuildEntry>;
}

export const emptyGuilds: GuildsState = { order: [], byId: {} };

const byPosition = <T extends { position: number; id: string }>(a: T, b: T) => a.position - b.position || cmpId(a.id, b.id);

function toEntry(g: Guild): GuildEntry {
  const { channels = [], members = [], presences: _p, ...rest } = g;
  return {
    ...rest,
    channels: channels.map((c) => ({ ...c, guild_id: g.id })).sort(byPosition),
    roles: [...(g.roles ?? [])].sort(byPosition),
    members: Object.fromEntries(members.map((m) => [m.user.id, m])),
  };
}

function patch(s: GuildsState, id: string | undefined, fn: (g: GuildEntry) => GuildEntry): GuildsState {
  const g = id ? s.byId[id] : undefined;
  if (!g || !id) return s;
  return { ...s, byId: { ...s.byId, [id]: fn(g) } };
}

function upsert<T extends { id: string; position: number }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  const next = i < 0 ? [...list, item] : list.map((x) => (x.id === item.id ? { ...x, ...item } : x));
  return next.sort(byPosition);
}

/** The fields of the public user object (protocol `User`); the rest of USER_UPDATE is private. */
const PUBLIC_USER_FIELDS = ['id', 'username', 'discriminator', 'global_name', 'avatar', 'bot', 'system', 'public_flags'];

export function reduceGuilds(s: GuildsState, { t, d }: Dispatch): GuildsState {
  switch (t) {
    case 'READY': {
      const guilds = (d.guilds ?? []) as Guild[];
      const avail = guilds.filter((g) => !g.unavailable);
      return { order: guilds.map((g) => g.id), byId: Object.fromEntries(avail.map((g) => [g.id, toEntry(g)])) };
    }
    case 'GUILD_CREATE': {
      const g = d as Guild;
      if (g.unavailable) return s;
      return { order: s.order.includes(g.id) ? s.order : [...s.order, g.id], byId: { ...s.byId, [g.id]: toEntry(g) } };
    }
    case 'GUILD_UPDATE':
      return patch(s, d.id, (g) => ({
        ...g,
        ...d,
        channels: g.channels,
        members: g.members,
        roles: d.roles ? [...d.roles].sort(byPosition) : g.roles,
      }));
    case 'GUILD_EMOJIS_UPDATE':
      return patch(s, d.guild_id, (g) => ({ ...g, emojis: d.emojis }));
    case 'GUILD_DELETE': {
      if (d.unavailable) return s;
      const { [d.id]: _gone, ...byId } = s.byId;
      return { order: s.order.filter((id) => id !== d.id), byId };
    }
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
      return patch(s, d.guild_id, (g) => ({ ...g, channels: upsert(g.channels, d as Channel) }));
    case 'CHANNEL_DELETE':
      return patch(s, d.guild_id, (g) => ({ ...g, channels: g.channels.filter((c) => c.id !== d.id) }));
    case 'MESSAGE_CREATE':
      return patch(s, d.guild_id, (g) => ({
        ...g,
        channels: g.channels.map((c) => (c.id === d.channel_id && newer(d.id, c.last_message_id) ? { ...c, last_message_id: d.id } : c)),
      }));
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
      return patch(s, d.guild_id, (g) => ({ ...g, roles: upsert(g.roles, d.role as Role) }));
    case 'GUILD_ROLE_DELETE':
      return patch(s, d.guild_id, (g) => ({
        ...g,
        roles: g.roles.filter((r) => r.id !== d.role_id),
        members: Object.fromEntries(
          Object.entries(g.members).map(([id, m]) => [
            id,
            m.roles.includes(d.role_id) ? { ...m, roles: m.roles.filter((r) => r !== d.role_id) } : m,
          ]),
        ),
      }));
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE': {
      const { guild_id, ...m } = d;
      // A large guild's client does not hold every member: an update may bring one it never had.
      const joined = t === 'GUILD_MEMBER_ADD' && !s.byId[guild_id]?.members[m.user.id];
      return patch(s, guild_id, (g) => ({
        ...g,
        ...(joined && g.member_count !== undefined ? { member_count: g.member_count + 1 } : {}),
        members: { ...g.members, [m.user.id]: { ...g.members[m.user.id], ...m } as Member },
      }));
    }
    case 'GUILD_MEMBER_REMOVE':
      return patch(s, d.guild_id, (g) => {
        const { [d.user.id]: _gone, ...members } = g.members;
        return { ...g, members, ...(g.member_count !== undefined ? { member_count: Math.max(0, g.member_count - 1) } : {}) };
      });
    case 'GUILD_MEMBERS_CHUNK':
    case 'LOCAL_MEMBERS':
      return patch(s, d.guild_id, (g) => ({
        ...g,
        members: { ...g.members, ...Object.fromEntries((d.members as Member[]).map((m) => [m.user.id, m])) },
      }));
    case 'USER_UPDATE': {
      // USER_UPDATE is the current user's private object; member entries hold the public one.
      const pub = Object.fromEntries(PUBLIC_USER_FIELDS.filter((k) => k in d).map((k) => [k, d[k]]));
      const byId: Record<string, GuildEntry> = {};
      for (const [id, g] of Object.entries(s.byId)) {
        const m = g.members[d.id];
        byId[id] = m ? { ...g, members: { ...g.members, [d.id]: { ...m, user: { ...m.user, ...pub } } } } : g;
      }
      return { ...s, byId };
    }
    default:
      return s;
  }
}
