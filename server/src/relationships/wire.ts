import type { Relationship } from '@retrocast/protocol';
import type { users } from '../db/schema.js';
import { toWireUser } from '../users/wire.js';
import type { RelationshipRow } from './store.js';

type UserCols = Pick<typeof users.$inferSelect, 'id' | 'username' | 'displayName' | 'avatar' | 'bot' | 'flags'>;

/** The only place a relationship row becomes Discord's relationship object. */
export function toWireRelationship(rel: Pick<RelationshipRow, 'targetId' | 'type' | 'since'>, user: UserCols): Relationship {
  return { id: rel.targetId, type: rel.type, user: toWireUser(user), nickname: null, since: rel.since.toISOString() };
}

export const toWireRelationshipRemove = (targetId: string, type: number) => ({ id: targetId, type, nickname: null });
