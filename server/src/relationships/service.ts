import { Errors, RelationshipType } from '@retrocast/protocol';
import { eq, sql } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import type { Queryable, Tx } from '../db/client.js';
import { users } from '../db/schema.js';
import { type Emit, transact } from '../db/tx.js';
import { lockPair } from '../dms/store.js';
import { ApiError } from '../http/errors.js';
import { idInRange } from '../messages/store.js';
import { loadWirePresences } from '../presence/service.js';
import { userColumns } from '../users/wire.js';
import { deleteRow, friendIds, loadPair, loadRelationships, putRow } from './store.js';
import { toWireRelationship, toWireRelationshipRemove } from './wire.js';

const { FRIEND, BLOCKED, INCOMING, OUTGOING } = RelationshipType;
/** Types that exist in pairs (a friendship or a pending request); a block is one-sided. */
const PAIRED = new Set<number>([FRIEND, INCOMING, OUTGOING]);

type UserCols = NonNullable<Awaited<ReturnType<typeof loadUser>>>;

/** Relationships are for people: a bot caller gets 20001. */
function checkPerson(who: Caller) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
}

async function loadUser(q: Queryable, id: string) {
  if (!idInRange(id)) return undefined;
  const [u] = await q.select(userColumns(users)).from(users).where(eq(users.id, id)).limit(1);
  return u;
}

export async function accessRelationships(ctx: AppContext, who: Caller) {
  return (await loadRelationships(ctx.db, who.id)).map((r) => toWireRelationship(r.rel, r.user));
}

/** POST /users/@me/relationships {username}: a friend request by name. Unknown names get 80004. */
export async function doRequestByUsername(ctx: AppContext, who: Caller, username: string) {
  checkPerson(who);
  const [row] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.trim().toLowerCase()))
    .limit(1);
  if (!row) throw new ApiError(Errors.NO_SUCH_USERNAME);
  await doPutRelationship(ctx, who, row.id, FRIEND);
}

/**
 * PUT /users/@me/relationships/{id}: `type` 1 sends a friend request (or accepts theirs, or is a
 * no-op while one is pending), 2 blocks (ending any friendship or request, on both sides). Each
 * side gets RELATIONSHIP_ADD / RELATIONSHIP_REMOVE for its own view.
 */
export async function doPutRelationship(ctx: AppContext, who: Caller, targetId: string, type: 1 | 2) {
  checkPerson(who);
  if (targetId === who.id) throw new ApiError(Errors.FRIEND_REQUEST_SELF);
  const me = await loadUser(ctx.db, who.id);
  const them = await loadUser(ctx.db, targetId);
  if (!me || !them) throw new ApiError(Errors.UNKNOWN_USER);
  if (type === FRIEND && them.bot) throw new ApiError(Errors.BOTS_CANNOT_HAVE_FRIENDS);
  const becameFriends = await transact(ctx, async (tx, emit) => {
    await lockPair(tx, who.id, targetId);
    const pair = await loadPair(tx, who.id, targetId);
    const sides = { tx, emit, me, them };
    if (type === BLOCKED) {
      await doBlock(sides, pair);
      return false;
    }
    if (pair.theirs === BLOCKED) throw new ApiError(Errors.FRIEND_REQUESTS_DISABLED);
    if (pair.mine === FRIEND) throw new ApiError(Errors.ALREADY_FRIENDS);
    if (pair.mine === OUTGOING) return false;
    if (pair.mine === INCOMING) {
      await setBoth(sides, FRIEND, FRIEND);
      return true;
    }
    await setBoth(sides, OUTGOING, INCOMING);
    return false;
  });
  if (becameFriends) await doShareFriendPresence(ctx, who.id, targetId);
}

interface Sides {
  tx: Tx;
  emit: Emit;
  me: UserCols;
  them: UserCols;
}

/** Writes both views and tells each side about its own. */
async function setBoth({ tx, emit, me, them }: Sides, mine: number, theirs: number) {
  const since = new Date();
  await putRow(tx, me.id, them.id, mine, since);
  await putRow(tx, them.id, me.id, theirs, since);
  emit({ t: 'RELATIONSHIP_ADD', d: toWireRelationship({ targetId: them.id, type: mine, since }, them), user_ids: [me.id] });
  emit({ t: 'RELATIONSHIP_ADD', d: toWireRelationship({ targetId: me.id, type: theirs, since }, me), user_ids: [them.id] });
}

async function doBlock({ tx, emit, me, them }: Sides, pair: { mine?: number; theirs?: number }) {
  if (pair.mine === BLOCKED) return;
  const since = new Date();
  await putRow(tx, me.id, them.id, BLOCKED, since);
  if (pair.theirs !== undefined && PAIRED.has(pair.theirs)) {
    await deleteRow(tx, them.id, me.id);
    emit({ t: 'RELATIONSHIP_REMOVE', d: toWireRelationshipRemove(me.id, pair.theirs), user_ids: [them.id] });
  }
  emit({ t: 'RELATIONSHIP_ADD', d: toWireRelationship({ targetId: them.id, type: BLOCKED, since }, them), user_ids: [me.id] });
}

/**
 * DELETE /users/@me/relationships/{id}: unfriend, decline, cancel (both sides lose it) or unblock
 * (only the caller's side). Nothing to remove is a no-op.
 */
export async function doDeleteRelationship(ctx: AppContext, who: Caller, targetId: string) {
  checkPerson(who);
  if (!(await loadUser(ctx.db, targetId))) throw new ApiError(Errors.UNKNOWN_USER);
  await transact(ctx, async (tx, emit) => {
    await lockPair(tx, who.id, targetId);
    const { mine, theirs } = await loadPair(tx, who.id, targetId);
    if (mine === undefined) return;
    await deleteRow(tx, who.id, targetId);
    emit({ t: 'RELATIONSHIP_REMOVE', d: toWireRelationshipRemove(targetId, mine), user_ids: [who.id] });
    if (PAIRED.has(mine) && theirs !== undefined && PAIRED.has(theirs)) {
      await deleteRow(tx, targetId, who.id);
      emit({ t: 'RELATIONSHIP_REMOVE', d: toWireRelationshipRemove(who.id, theirs), user_ids: [targetId] });
    }
  });
}

/** New friends see each other's status at once (they may share no guild). No write, so no transact. */
async function doShareFriendPresence(ctx: AppContext, a: string, b: string) {
  const presences = ctx.presence ? await loadWirePresences(ctx.presence, [a, b]) : [];
  for (const p of presences) await ctx.bus.publish({ t: 'PRESENCE_UPDATE', d: p, user_ids: [p.user.id === a ? b : a] });
}

/** READY's `relationships` and friends' `presences`. */
export async function loadReadyRelationships(ctx: AppContext, userId: string) {
  const rows = await loadRelationships(ctx.db, userId);
  const friends = rows.filter((r) => r.rel.type === FRIEND).map((r) => r.rel.targetId);
  return {
    relationships: rows.map((r) => toWireRelationship(r.rel, r.user)),
    presences: ctx.presence ? await loadWirePresences(ctx.presence, friends) : [],
  };
}

export { friendIds };
