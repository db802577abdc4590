import { isSnowflake } from '@retrocast/protocol';
import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { attachments, channels, guilds } from '../db/schema.js';

export type AttachmentRow = typeof attachments.$inferSelect;

/** Blob key of an attachment: per channel, so deleting a channel's files is one prefix. */
export function attachmentKey(channelId: string, id: string, filename: string): string {
  // Blob keys are ASCII (blobs/types.ts checkKey); the row keeps the real (Unicode) name.
  const safe = filename.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9_]/, '_').slice(0, 200) || 'file';
  return `attachments/${channelId}/${id}/${safe}`;
}

export async function insertAttachments(q: Queryable, rows: (typeof attachments.$inferInsert)[]) {
  if (rows.length) await q.insert(attachments).values(rows);
}

export async function loadAttachment(q: Queryable, channelId: string, id: string): Promise<AttachmentRow | undefined> {
  const [row] = await q
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, id), eq(attachments.channelId, channelId)))
    .limit(1);
  return row;
}

/** Unattached uploads of this user in this channel, by blob key. */
export async function loadPendingByKeys(q: Queryable, channelId: string, uploaderId: string, keys: string[]): Promise<AttachmentRow[]> {
  if (!keys.length) return [];
  return q
    .select()
    .from(attachments)
    .where(and(inArray(attachments.blobKey, keys), eq(attachments.channelId, channelId), eq(attachments.uploaderId, uploaderId), isNull(attachments.messageId)));
}

/** Renames an upload only while it is the caller's own, unsent, in this channel. */
export async function renamePending(q: Queryable, id: string, channelId: string, uploaderId: string, filename: string) {
  await q
    .update(attachments)
    .set({ filename })
    .where(and(eq(attachments.id, id), eq(attachments.channelId, channelId), eq(attachments.uploaderId, uploaderId), isNull(attachments.messageId)));
}

export async function updateAttachment(q: Queryable, id: string, patch: Partial<AttachmentRow>) {
  await q.update(attachments).set(patch).where(eq(attachments.id, id));
}

export async function deleteAttachments(q: Queryable, ids: string[]) {
  if (ids.length) await q.delete(attachments).where(inArray(attachments.id, ids));
}

/** Of these attachment ids, the ones that no longer exist. */
export async function missingAttachmentIds(q: Queryable, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const found = new Set((await q.select({ id: attachments.id }).from(attachments).where(inArray(attachments.id, ids))).map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/** Of these attachment ids, the ones that exist and are not attached to a message yet. */
export async function pendingIds(q: Queryable, ids: string[]): Promise<string[]> {
  const wanted = ids.filter(isSnowflake);
  if (!wanted.length) return [];
  const rows = await q.select({ id: attachments.id }).from(attachments).where(and(inArray(attachments.id, wanted), isNull(attachments.messageId)));
  return rows.map((r) => r.id);
}

/** Deletes uploads never attached to a message and older than `before`; returns their blob keys. */
export async function deleteStaleUploads(q: Queryable, before: Date): Promise<string[]> {
  const gone = await q
    .delete(attachments)
    .where(and(isNull(attachments.messageId), lt(attachments.createdAt, before)))
    .returning({ key: attachments.blobKey });
  return gone.map((g) => g.key);
}

export async function guildExists(q: Queryable, guildId: string): Promise<boolean> {
  return (await q.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, guildId)).limit(1)).length > 0;
}

/** Of these channel ids, the ones that still exist. */
export async function existingChannelIds(q: Queryable, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  return new Set((await q.select({ id: channels.id }).from(channels).where(inArray(channels.id, ids))).map((c) => c.id));
}
