import { type CreateUploadsBody, type CreateUploadsResponse, Errors, MAX_ATTACHMENTS, Permissions, isSnowflake } from '@retrocast/protocol';
import { BlobTooLargeError, UPLOAD_PREFIX, readBlob, uploadKeyOf } from '../blobs/types.js';
import type { AppContext, Caller } from '../context.js';
import { ApiError, invalidField } from '../http/errors.js';
import { accessTextChannel } from '../messages/service.js';
import { ImageTooLargeError, imageTooLarge } from '../images/work.js';
import { inspectFile, sanitizeFilename } from './inspect.js';
import * as store from './store.js';
import { attachmentPath, verifyAttachmentUrl } from './urls.js';

const { VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES } = Permissions;
/** Direct-upload URLs live five minutes (spec). */
export const UPLOAD_URL_TTL_SEC = 300;

export interface IncomingFile {
  filename: string;
  bytes: Buffer;
}

/** An entry of a message's `attachments`: an uploaded id, a direct upload's key, or (multipart) a file index. */
export interface AttachmentRef {
  id?: string | number;
  filename?: string;
  uploaded_filename?: string;
  [k: string]: unknown;
}

function checkSize(ctx: AppContext, size: number, field: string) {
  if (size > ctx.config.files.maxUploadBytes) {
    throw new ApiError(Errors.FILE_TOO_LARGE, { [field]: { _errors: [{ code: 'BINARY_TYPE_MAX_SIZE', message: `Must be ${ctx.config.files.maxUploadBytes} bytes or less.` }] } });
  }
}

/**
 * POST /channels/:id/attachments (VIEW_CHANNEL + SEND_MESSAGES + ATTACH_FILES): one pending
 * attachment row per file and a URL to PUT its bytes to within five minutes.
 */
export async function doCreateUploads(ctx: AppContext, who: Caller, channelId: string, body: CreateUploadsBody, baseUrl: string): Promise<CreateUploadsResponse> {
  await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES);
  body.files.forEach((f, i) => checkSize(ctx, f.file_size, `files.${i}.file_size`));
  const rows = body.files.map((f) => {
    const id = ctx.ids.next();
    const filename = sanitizeFilename(f.filename);
    return { id, channelId, uploaderId: who.id, filename, size: f.file_size, contentType: null, blobKey: store.attachmentKey(channelId, id, filename) };
  });
  await store.insertAttachments(ctx.db, rows);
  const slots = await Promise.all(
    rows.map(async (r, i) => ({
      id: body.files[i].id ?? String(i),
      upload_url: await ctx.blobs.presignPut(uploadKeyOf(r.blobKey), { size: r.size, expiresInSec: UPLOAD_URL_TTL_SEC, baseUrl }),
      upload_filename: r.blobKey,
    })),
  );
  return { attachments: slots };
}

/**
 * Multipart send: stores each file (after its type is sniffed and images are cleaned) as a pending
 * attachment of the caller in this channel, and returns their ids in order. The caller has already
 * read every file within the size limit, so a too-large upload never reaches the store.
 */
export async function doStoreFiles(ctx: AppContext, who: Caller, channelId: string, files: IncomingFile[]): Promise<string[]> {
  if (files.length > MAX_ATTACHMENTS) throw invalidField('files', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_ATTACHMENTS} or fewer in length.`);
  const ids: string[] = [];
  // Every file is checked before any is stored: one bad image refuses the whole send.
  const infos = [];
  for (const [i, f] of files.entries()) infos.push(await inspectChecked(f.bytes, `files.${i}`));
  for (const [i, f] of files.entries()) {
    const info = infos[i];
    const id = ctx.ids.next();
    const filename = sanitizeFilename(f.filename);
    const blobKey = store.attachmentKey(channelId, id, filename);
    // Row first: a blob without a row would look like garbage to the sweeper (files.ts).
    await store.insertAttachments(ctx.db, [{ id, channelId, uploaderId: who.id, filename, blobKey, size: info.bytes.length, contentType: info.contentType, width: info.width, height: info.height }]);
    await ctx.blobs.put(blobKey, info.bytes, info.contentType);
    ids.push(id);
  }
  return ids;
}

/** Access check for multipart sends, before a single file byte is read. */
export async function accessAttachFiles(ctx: AppContext, who: Caller, channelId: string) {
  await accessTextChannel(ctx.db, channelId, who.id, VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES);
}

/**
 * A message's `attachments` → `{id, filename}` entries the message service attaches. Direct uploads
 * (`uploaded_filename`) are resolved to their pending row and finalized once: the stored bytes are
 * size-checked, sniffed and cleaned like multipart files. Multipart indexes map to `stored` ids.
 */
export async function checkMessageAttachments(ctx: AppContext, who: Caller, channelId: string, refs: AttachmentRef[], stored: string[] = []) {
  const out: { id: string; filename?: string }[] = [];
  const used = new Set<number>();
  for (const [i, ref] of refs.entries()) {
    const filename = typeof ref.filename === 'string' ? ref.filename : undefined;
    if (typeof ref.uploaded_filename === 'string') {
      out.push({ id: await finalizeUpload(ctx, who, channelId, ref.uploaded_filename, i), filename });
    } else if (stored.length && /^\d{1,2}$/.test(String(ref.id)) && Number(ref.id) < stored.length) {
      used.add(Number(ref.id));
      out.push({ id: stored[Number(ref.id)], filename });
    } else out.push({ id: String(ref.id), filename });
  }
  stored.forEach((id, i) => used.has(i) || out.push({ id }));
  if (out.length > MAX_ATTACHMENTS) throw invalidField('attachments', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_ATTACHMENTS} or fewer in length.`);
  for (const r of out) {
    // Discord lets the message rename its files (the blob key keeps the original name).
    if (r.filename && isSnowflake(r.id)) await store.renamePending(ctx.db, r.id, channelId, who.id, sanitizeFilename(r.filename));
  }
  return out.map(({ id }) => ({ id }));
}

async function finalizeUpload(ctx: AppContext, who: Caller, channelId: string, key: string, i: number): Promise<string> {
  const field = `attachments.${i}.uploaded_filename`;
  const [row] = await store.loadPendingByKeys(ctx.db, channelId, who.id, [key]);
  if (!row) throw invalidField(field, 'ATTACHMENT_NOT_FOUND', 'Unknown upload.');
  if (row.contentType !== null) return row.id; // finalized by an earlier (failed) send
  // The client PUT to the staging key; the attachment's own key is written here, once, by us.
  const staged = uploadKeyOf(key);
  const head = await ctx.blobs.head(staged);
  if (!head) throw invalidField(field, 'ATTACHMENT_NOT_UPLOADED', 'The file was not uploaded.');
  let bytes: Buffer | undefined;
  try {
    if (head.size > ctx.config.files.maxUploadBytes) throw new BlobTooLargeError();
    bytes = await readBlob(ctx.blobs, staged, ctx.config.files.maxUploadBytes);
  } catch (err) {
    if (!(err instanceof BlobTooLargeError)) throw err;
    await ctx.blobs.delete([staged]);
    await store.deleteAttachments(ctx.db, [row.id]);
    checkSize(ctx, head.size, field);
  }
  if (!bytes) throw invalidField(field, 'ATTACHMENT_NOT_UPLOADED', 'The file was not uploaded.');
  const info = await inspectChecked(bytes, field);
  // Immutable: if an interrupted earlier send already wrote the key, its bytes stay (and their size).
  const created = await ctx.blobs.create(key, info.bytes, info.contentType);
  const size = created ? info.bytes.length : ((await ctx.blobs.head(key))?.size ?? info.bytes.length);
  await store.updateAttachment(ctx.db, row.id, { size, contentType: info.contentType, width: info.width, height: info.height });
  // From here the upload URL is dead (disk refuses it once the key exists; on S3 a late PUT only
  // recreates this staging object, which nothing reads and the sweeper drops).
  await ctx.blobs.delete([staged]);
  return row.id;
}

/** `inspectFile`, with a pixel bomb reported as a 400 on `field`. */
async function inspectChecked(bytes: Buffer, field: string) {
  try {
    return await inspectFile(bytes);
  } catch (err) {
    if (err instanceof ImageTooLargeError) throw imageTooLarge(field, err);
    throw err;
  }
}

/** Uploads not used by a message within this time are dropped (rows and blobs). */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;

/** Deletes unattached uploads older than `maxAgeMs` and their blobs, and dead staging objects (run periodically by files.ts). */
export async function doSweepStaleUploads(ctx: AppContext, maxAgeMs = STALE_UPLOAD_MS): Promise<number> {
  const keys = await store.deleteStaleUploads(ctx.db, new Date(Date.now() - maxAgeMs));
  await ctx.blobs.delete([...keys, ...keys.map(uploadKeyOf)]);
  // Staging objects whose upload is gone or already sent (a late PUT on S3, where URLs cannot be revoked).
  const staged = await ctx.blobs.list(`${UPLOAD_PREFIX}attachments/`);
  const pending = new Set(await store.pendingIds(ctx.db, staged.map((k) => k.split('/')[3])));
  await ctx.blobs.delete(staged.filter((k) => !pending.has(k.split('/')[3])));
  return keys.length;
}

/**
 * A download: the signature must be valid and unexpired for exactly this path (the link is the
 * permission, like Discord's CDN), and the file must exist and be finished.
 */
export async function accessSignedAttachment(ctx: AppContext, p: { channelId: string; attachmentId: string; filename: string }, query: Record<string, unknown>) {
  const path = attachmentPath({ channelId: p.channelId, id: p.attachmentId, filename: p.filename });
  if (!isSnowflake(p.channelId) || !isSnowflake(p.attachmentId) || !verifyAttachmentUrl(path, query)) {
    throw new ApiError({ code: 0, status: 404, message: 'This content is no longer available.' });
  }
  const row = await store.loadAttachment(ctx.db, p.channelId, p.attachmentId);
  if (!row || row.filename !== p.filename || row.contentType === null) throw new ApiError(Errors.UNKNOWN_ATTACHMENT);
  return row as store.AttachmentRow & { contentType: string };
}
