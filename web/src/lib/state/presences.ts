/** Last known status per user; absent means offline. */

import type { Presence, Status } from '../api/types';
import type { Dispatch } from '../gateway/socket';

export type PresencesState = Record<string, Status>;

export function reducePresences(s: PresencesState, { t, d }: Dispatch): PresencesState {
  switch (t) {
    case 'READY': {
      const next: PresencesState = {};
      for (const p of (d.presences ?? []) as Presence[]) next[p.user.id] = p.status;
      for (const g of d.guilds ?? []) for (const p of (g.presences ?? []) as Presence[]) next[p.user.id] = p.status;
      return next;
    }
    case 'GUILD_CREATE': {
      const ps = (d.presences ?? []) as Presence[];
      return ps.length ? { ...s, ...Object.fromEntries(ps.map((p) => [p.user.id, p.status])) } : s;
    }
    case 'PRESENCE_UPDATE':
      return s[d.user.id] === d.status ? s : { ...s, [d.user.id]: d.status };
    default:
      return s;
  }
}
