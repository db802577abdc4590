/**
 * Friends, blocks and pending requests, by the other user's id. RELATIONSHIP_ADD upserts (a
 * request accepted or a friend blocked arrives as a new type), RELATIONSHIP_REMOVE deletes.
 */
import type { User } from '../api/types';
import type { Dispatch } from '../gateway/socket';

/** 1 friend, 2 blocked, 3 incoming request, 4 outgoing request. */
export const RelationshipType = { FRIEND: 1, BLOCKED: 2, INCOMING: 3, OUTGOING: 4 } as const;

export interface Relationship {
  id: string;
  type: number;
  user: User;
  nickname: null;
  since: string;
}

export type RelationshipsState = Record<string, Relationship>;

export function reduceRelationships(s: RelationshipsState, { t, d }: Dispatch): RelationshipsState {
  switch (t) {
    case 'READY':
      return Object.fromEntries(((d.relationships ?? []) as Relationship[]).map((r) => [r.id, r]));
    case 'RELATIONSHIP_ADD':
      return { ...s, [d.id]: d as Relationship };
    case 'RELATIONSHIP_REMOVE': {
      if (!(d.id in s)) return s;
      const { [d.id]: _gone, ...rest } = s;
      return rest;
    }
    case 'USER_UPDATE': {
      // A relationship's user object follows their public profile (not sent for others today).
      const r = s[d.id];
      return r ? { ...s, [d.id]: { ...r, user: { ...r.user, ...pickPublic(d) } } } : s;
    }
    default:
      return s;
  }
}

function pickPublic(d: Partial<User>): Partial<User> {
  const { username, global_name, avatar } = d;
  return Object.fromEntries(Object.entries({ username, global_name, avatar }).filter(([, v]) => v !== undefined));
}

export const isBlocked = (s: RelationshipsState, userId: string) => s[userId]?.type === RelationshipType.BLOCKED;
export const isFriend = (s: RelationshipsState, userId: string) => s[userId]?.type === RelationshipType.FRIEND;
