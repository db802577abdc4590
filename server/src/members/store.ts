import { and, asc, eq, gt, ilike, inArray, or, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { memberRoles, members, users } from '../db/schema.js';
import { toWireMember } from '../guilds/wire.js';
import { toWireUser, userColumns } from '../users/wire.js';

/** Members of a guild as Discord member objects, ordered by user id. */
export async function loadWireMembers(
  q: Queryable,
  guildId: string,
  opts: { userIds?: string[]; after?: string; limit?: number; prefix?: string } = {},
) {
  const where: SQL[] = [eq(members.guildId, guildId)];
  if (opts.prefix) {
    // Case-insensitive "starts with" on username, display name or nickname (LIKE wildcards escaped).
    const p = `${opts.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(users.username, p), ilike(users.displayName, p), ilike(members.nick, p)) as SQL);
  }
  if (opts.userIds) {
    if (!opts.userIds.length) return [];
    where.push(inArray(members.userId, opts.userIds));
  }
  if (opts.after) where.push(gt(members.userId, opts.after));
  let query = q
    .select({ member: members, user: userColumns(users) })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(and(...where))
    .orderBy(asc(members.userId))
    .$dynamic();
  if (opts.limit) query = query.limit(opts.limit);
  const rows = await query;
  if (!rows.length) return [];
  const roleRows = await q
    .select({ userId: memberRoles.userId, roleId: memberRoles.roleId })
    .from(memberRoles)
    .where(
      and(
        eq(memberRoles.guildId, guildId),
        inArray(
          memberRoles.userId,
          rows.map((r) => r.member.userId),
        ),
      ),
    );
  const byUser = new Map<string, string[]>();
  for (const r of roleRows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r.roleId]);
  return rows.map((r) => toWireMember(r.member, toWireUser(r.user), byUser.get(r.member.userId) ?? []));
}

export async function loadWireMember(q: Queryable, guildId: string, userId: string) {
  const [m] = await loadWireMembers(q, guildId, { userIds: [userId] });
  return m ?? null;
}
