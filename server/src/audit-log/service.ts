import { type AuditLogQuery, Permissions } from '@retrocast/protocol';
import { and, asc, desc, eq, gt, inArray, lt, type SQL } from 'drizzle-orm';
import type { AppContext, Caller } from '../context.js';
import { auditLogEntries, users } from '../db/schema.js';
import { accessGuild } from '../permissions/access.js';
import { toWireUser, userColumns } from '../users/wire.js';
import { toWireAuditEntry } from './store.js';

/** GET /guilds/{id}/audit-logs: VIEW_AUDIT_LOG; newest first, filtered like Discord's. */
export async function accessAuditLog(ctx: AppContext, who: Caller, guildId: string, query: AuditLogQuery) {
  await accessGuild(ctx.db, guildId, who.id, Permissions.VIEW_AUDIT_LOG);
  const where: SQL[] = [eq(auditLogEntries.guildId, guildId)];
  if (query.user_id) where.push(eq(auditLogEntries.userId, query.user_id));
  if (query.action_type) where.push(eq(auditLogEntries.actionType, query.action_type));
  if (query.before) where.push(lt(auditLogEntries.id, query.before));
  if (query.after) where.push(gt(auditLogEntries.id, query.after));
  const rows = await ctx.db
    .select()
    .from(auditLogEntries)
    .where(and(...where))
    .orderBy(query.after && !query.before ? asc(auditLogEntries.id) : desc(auditLogEntries.id))
    .limit(query.limit ?? 50);
  rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1));
  const userIds = [...new Set(rows.flatMap((r) => [r.userId, r.targetId]).filter((id): id is string => !!id))];
  const people = userIds.length ? await ctx.db.select(userColumns(users)).from(users).where(inArray(users.id, userIds)) : [];
  return {
    audit_log_entries: rows.map(toWireAuditEntry),
    users: people.map(toWireUser),
    application_commands: [],
    auto_moderation_rules: [],
    guild_scheduled_events: [],
    integrations: [],
    threads: [],
    webhooks: [],
  };
}
