/** What each present user is doing ("Playing dice"); users doing nothing are not kept. */

import type { Activity, Presence } from '../api/types';
import type { Dispatch } from '../gateway/socket';

export type ActivitiesState = Record<string, Activity[]>;

function merge(s: ActivitiesState, ps: Presence[]): ActivitiesState {
  let next = s;
  for (const p of ps) next = put(next, p);
  return next;
}

function put(s: ActivitiesState, p: Presence): ActivitiesState {
  const list = p.status === 'offline' ? [] : (p.activities ?? []);
  if (list.length) return { ...s, [p.user.id]: list };
  if (!(p.user.id in s)) return s;
  const next = { ...s };
  delete next[p.user.id];
  return next;
}

export function reduceActivities(s: ActivitiesState, { t, d }: Dispatch): ActivitiesState {
  switch (t) {
    case 'READY':
      return merge(
        merge({}, d.presences ?? []),
        (d.guilds ?? []).flatMap((g: { presences?: Presence[] }) => g.presences ?? []),
      );
    case 'GUILD_CREATE':
      return merge(s, d.presences ?? []);
    case 'GUILD_MEMBERS_CHUNK':
      return merge(s, d.presences ?? []);
    case 'PRESENCE_UPDATE':
      return put(s, d);
    default:
      return s;
  }
}

/** The member list's one line: "Playing dice", "Listening to lofi", or a custom status's text. */
export function activityText(list: Activity[] | undefined): string | null {
  const a = list?.find((x) => x.type !== 4) ?? list?.[0];
  if (!a) return null;
  switch (a.type) {
    case 1:
      return `Streaming ${a.details ?? a.name}`;
    case 2:
      return `Listening to ${a.name}`;
    case 3:
      return `Watching ${a.name}`;
    case 4:
      return a.state ?? null;
    case 5:
      return `Competing in ${a.name}`;
    default:
      return `Playing ${a.name}`;
  }
}
