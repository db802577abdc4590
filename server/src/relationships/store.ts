import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { relationships, users } from '../db/schema.js';
import { userColumns } from '../users/wire.js';

export type RelationshipRow = typeof relationships.$inferSelect;

/** The user's relationships with the other user's public columns, oldest first. */
export async function loadRelationships(q: Queryable, userId: string, targetIds?: string[]) {
  return q
    .select({ rel: relationships, user: userColumns(users) })
    .from(relationships)
    .innerJoin(users, eq(users.id, relationships.targetId))
    .where(and(eq(relationships.userId, userId), targetIds ? inArray(relationships.targetId, targetIds) : undefined))
    .orderBy(relationships.since);
}

/** Both directions between a and b: `mine` is a's view of b, `theirs` b's view of a (types, or undefined). */
export async function loadPair(q: Queryable, a: string, b: string) {
  const rows = await q
    .select({ userId: relationships.userId, type: relationships.type })
    .from(relationships)
    .where(
      or(and(eq(relationships.userId, a), eq(relationships.targetId, b)), and(eq(relationships.userId, b), eq(relationships.targetId, a))),
    );
  return { mine: rows.find((r) => r.userId === a)?.type, theirs: rows.find((r) => r.userId === b)?.type };
}

/** Sets user's view of target (insert or change type; `since` restarts). */
export async function putRow(q: Queryable, userId: string, targetId: string, type: number, since = new Date()) {
  await q
    .insert(relationships)
    .values({ userId, targetId, type, since })
    .onConflictDoUpdate({ target: [relationships.userId, relationships.targetId], set: { type, since } });
}

export async function deleteRow(q: Queryable, userId: string, targetId: string) {
  await q.delete(relationships).where(and(eq(relationships.userId, userId), eq(relationships.targetId, targetId)));
}

/** Ids of the user's friends. */
export async function friendIds(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q
    .select({ id: relationships.targetId })
    .from(relationships)
    .where(and(eq(relationships.userId, userId), eq(relationships.type, 1)));
  return rows.map((r) => r.id);
}

/** Of `targets`, those who are friends of `userId`. */
export async function friendsAmong(q: Queryable, userId: string, targets: string[]): Promise<Set<string>> {
  if (!targets.length) return new Set();
  const rows = await q
    .select({ id: relationships.targetId })
    .from(relationships)
    .where(and(eq(relationships.userId, userId), eq(relationships.type, 1), inArray(relationships.targetId, targets)));
  return new Set(rows.map((r) => r.id));
}

/** Whether either user blocked the other. */
export async function blockedEitherWay(q: Queryable, a: string, b: string): Promise<boolean> {
  const [row] = await q
    .select({ n: sql<number>`1` })
    .from(relationships)
    .where(
      and(
        eq(relationships.type, 2),
        or(
          and(eq(relationships.userId, a), eq(relationships.targetId, b)),
          and(eq(relationships.userId, b), eq(relationships.targetId, a)),
        ),
      ),
    )
    .limit(1);
  return !!row;
}
