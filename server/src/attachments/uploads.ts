import multipart from '@fastify/multipart';
import { Errors, isSnowflake } from '@retrocast/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Caller, caller } from '../context.js';
import { parseDiscordJson } from '../http/discord-compat.js';
import { ApiError, invalidField } from '../http/errors.js';
import { findNul } from '../http/validation.js';
import { webhookUploader } from '../webhooks/service.js';
import { type AttachmentRef, type IncomingFile, accessAttachFiles, checkMessageAttachments, doStoreFiles } from './service.js';

const SEND_ROUTE = '/api/v10/channels/:channelId/messages';
const WEBHOOK_ROUTE = '/api/v10/webhooks/:webhookId/:token';

function webhookUploaderOf(req: FastifyRequest) {
  const { webhookId, token } = req.params as { webhookId: string; token: string };
  if (!isSnowflake(webhookId)) throw new ApiError(Errors.UNKNOWN_WEBHOOK);
  return webhookUploader(req.server.ctx.db, webhookId, token);
}
const FILE_FIELD = /^(files\[\d{1,2}\]|file\d{0,2})$/;

/**
 * Multipart errors from @fastify/multipart → Discord's bodies. Only parsing happens where this is
 * used, so anything else (no boundary, a boundary over 256 characters, a body cut off) is the
 * client's malformed form: a 400, not a 500.
 */
function mapMultipartError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new ApiError(Errors.FILE_TOO_LARGE);
  if (code === 'FST_FILES_LIMIT') return invalidField('files', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  return invalidField('files', 'BASE_TYPE_INVALID', 'Malformed multipart/form-data body.');
}

/** Reads `payload_json` (or plain fields) and every `files[n]` into memory, each within MAX_UPLOAD_MB. */
async function readForm(req: FastifyRequest) {
  let payload: Record<string, unknown> = {};
  const fields: Record<string, string> = {};
  const files: (IncomingFile & { index: number })[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        if (!FILE_FIELD.test(part.fieldname)) throw invalidField(part.fieldname, 'BASE_TYPE_INVALID', 'Unknown file field.');
        const bytes = await part.toBuffer(); // throws past the limit, before anything is stored
        files.push({ filename: part.filename, bytes, index: Number(part.fieldname.match(/\d+/)?.[0] ?? files.length) });
      } else if (part.fieldname === 'payload_json') {
        try {
          payload = parseDiscordJson(String(part.value)) as Record<string, unknown>;
        } catch {
          throw new ApiError(Errors.INVALID_JSON);
        }
        if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new ApiError(Errors.INVALID_JSON);
      } else fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    throw mapMultipartError(err);
  }
  if (!Object.keys(payload).length) for (const k of ['content', 'nonce']) if (fields[k] !== undefined) payload[k] = fields[k];
  files.sort((a, b) => a.index - b.index);
  return { payload, files };
}

/**
 * Uploads on POST /channels/:id/messages, before the route's own validation, so one handler serves
 * JSON and multipart alike: multipart files are checked (ATTACH_FILES, size, count) and stored as
 * pending attachments, direct uploads named by `uploaded_filename` are resolved, and the body the
 * message service sees only lists attachment ids. Call before the API routes are registered.
 */
export async function installMessageUploads(app: FastifyInstance) {
  const limits = { fileSize: app.ctx.config.files.maxUploadBytes, files: 10, fields: 20, fieldSize: 1024 * 1024, parts: 40 };
  await app.register(multipart, { limits, throwFileSizeLimit: true });
  app.addHook('preValidation', async (req) => {
    if (req.method !== 'POST' || (req.routeOptions.url !== SEND_ROUTE && req.routeOptions.url !== WEBHOOK_ROUTE)) return;
    // A webhook execution uploads as the webhook (its token checked first); a send as the caller.
    const hook = req.routeOptions.url === WEBHOOK_ROUTE ? await webhookUploaderOf(req) : null;
    const who: Caller = hook ? { id: hook.id, bot: true } : caller(req);
    const channelId = hook ? hook.channelId : (req.params as { channelId: string }).channelId;
    // A malformed id or NUL-laden text is left to the schema and the NUL guard (400s), before any lookup.
    if (!isSnowflake(channelId)) return;
    let stored: string[] = [];
    if (req.isMultipart()) {
      if (!hook) await accessAttachFiles(app.ctx, who, channelId);
      const form = await readForm(req);
      stored = await doStoreFiles(app.ctx, who, channelId, form.files);
      req.body = form.payload;
    }
    const body = req.body as { attachments?: unknown } | undefined;
    if (!body || typeof body !== 'object' || findNul(body, '') !== undefined) return;
    const refs = Array.isArray(body.attachments) ? (body.attachments as AttachmentRef[]) : [];
    if (!refs.length && !stored.length) return;
    if (refs.some((r) => !r || typeof r !== 'object')) return; // let the schema explain
    body.attachments = await checkMessageAttachments(app.ctx, who, channelId, refs, stored);
  });
}
