/** Last known status per user; absent means offline (offline entries are never kept). */

import type { Presence, Status } from '../api/types';
import type { Dispatch } from '../gateway/socket';
import type { GuildsState } from './guilds';

export type PresencesState = Record<string, Status>;

const present = (ps: Presence[]) => ps.filter((p) => p.status !== 'offline').map((p) => [p.user.id, p.status] as const);

/**
 * `guilds` is the guild tree *after* the event: on GUILD_DELETE / GUILD_MEMBER_REMOVE, users one
 * no longer shares a guild with are forgotten (no further updates about them would arrive).
 */
export function reducePresences(s: PresencesState, { t, d }: Dispatch, guilds?: GuildsState): PresencesState {
  switch (t) {
    case 'READY': {
      const next: PresencesState = {};
      for (const [id, status] of present(d.presences ?? [])) next[id] = status;
      for (const g of d.guilds ?? []) for (const [id, status] of present(g.presences ?? [])) next[id] = status;
      return next;
    }
    case 'GUILD_CREATE': {
      const ps = present(d.presences ?? []);
      return ps.length ? { ...s, ...Object.fromEntries(ps) } : s;
    }
    case 'PRESENCE_UPDATE':
      if (d.status === 'offline') return d.user.id in s ? without(s, [d.user.id]) : s;
      return s[d.user.id] === d.status ? s : { ...s, [d.user.id]: d.status };
    case 'GUILD_DELETE':
      if (d.unavailable || !guilds) return s;
      return without(
        s,
        Object.keys(s).filter((id) => !sharesGuild(guilds, id)),
      );
    case 'GUILD_MEMBER_REMOVE':
      return guilds && d.user.id in s && !sharesGuild(guilds, d.user.id) ? without(s, [d.user.id]) : s;
    // No longer friends (unfriended, or blocked): without a shared guild no updates would follow.
    case 'RELATIONSHIP_REMOVE':
    case 'RELATIONSHIP_ADD':
      if (t === 'RELATIONSHIP_ADD' && d.type === 1) return s;
      return guilds && d.id in s && !sharesGuild(guilds, d.id) ? without(s, [d.id]) : s;
    default:
      return s;
  }
}

const sharesGuild = (guilds: GuildsState, userId: string) => Object.values(guilds.byId).some((g) => userId in g.members);

function without(s: PresencesState, ids: string[]): PresencesState {
  if (!ids.length) return s;
  const next = { ...s };
  for (const id of ids) delete next[id];
  return next;
}
