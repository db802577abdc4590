import type { AuditLogChange } from '@retrocast/protocol';
import { Permissions } from '@retrocast/protocol';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/client.js';
import { auditLogEntries } from '../db/schema.js';
import type { Emit } from '../db/tx.js';

export type AuditRow = typeof auditLogEntries.$inferSelect;

export interface AuditInput {
  guildId: string;
  /** Who did it. */
  userId: string;
  targetId?: string | null;
  actionType: number;
  changes?: AuditLogChange[];
  options?: Record<string, string>;
  reason?: string | null;
}

export function toWireAuditEntry(r: AuditRow) {
  return {
    id: r.id,
    guild_id: r.guildId,
    user_id: r.userId,
    target_id: r.targetId,
    action_type: r.actionType,
    changes: r.changes ?? undefined,
    options: r.options ?? undefined,
    reason: r.reason ?? undefined,
  };
}

/**
 * Records one audit log entry inside the caller's transaction and emits
 * GUILD_AUDIT_LOG_ENTRY_CREATE to the members who may VIEW_AUDIT_LOG.
 */
export async function doRecordAudit(ctx: Pick<AppContext, 'ids'>, tx: Tx, emit: Emit, input: AuditInput): Promise<void> {
  const [row] = await tx
    .insert(auditLogEntries)
    .values({
      id: ctx.ids.next(),
      guildId: input.guildId,
      userId: input.userId,
      targetId: input.targetId ?? null,
      actionType: input.actionType,
      changes: input.changes?.length ? input.changes : null,
      options: input.options ?? null,
      reason: input.reason ?? null,
    })
    .returning();
  emit({
    t: 'GUILD_AUDIT_LOG_ENTRY_CREATE',
    d: toWireAuditEntry(row),
    guild_id: input.guildId,
    meta: { required_permission: Permissions.VIEW_AUDIT_LOG.toString() },
  });
}

/** Discord's change list: one `{key, old_value, new_value}` per wire key whose value differs. */
export function diffChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  keys?: string[],
): AuditLogChange[] {
  const all = keys ?? [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const out: AuditLogChange[] = [];
  for (const key of all) {
    const o = before?.[key];
    const n = after?.[key];
    if (JSON.stringify(o) === JSON.stringify(n)) continue;
    const change: AuditLogChange = { key };
    if (o !== undefined) change.old_value = o;
    if (n !== undefined) change.new_value = n;
    out.push(change);
  }
  return out;
}
