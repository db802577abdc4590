import { Errors } from '@retrocast/protocol';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { type ByteRange, readBlob } from '../blobs/types.js';
import { deriveUrlKey } from '../blobs/signing.js';
import { ApiError } from '../http/errors.js';
import { INLINE_TYPES, resizeImage } from './inspect.js';
import { accessSignedAttachment, doSweepStaleUploads } from './service.js';
import * as store from './store.js';
import { registerAttachmentUrlKey } from './urls.js';

/** Events after which a channel's attachment blobs may have lost their rows (FK cascades). */
const SWEEP_ON = new Set(['MESSAGE_DELETE', 'MESSAGE_DELETE_BULK', 'CHANNEL_DELETE']);
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
/** Preview sizes are rounded up to these steps, so each image has a handful of cached variants at most. */
const PREVIEW_STEPS = [64, 128, 256, 400, 512, 800, 1024, 1600, 2048, 4096];
const step = (n: number) => PREVIEW_STEPS.find((s) => s >= n) ?? 4096;
const previewKey = (row: { channelId: string; id: string }, w: number, h: number, ext: string) => `attachments/${row.channelId}/${row.id}-previews/${w}x${h}.${ext}`;
/** Attachment id of a blob key: `attachments/{channel}/{id}[-previews]/…`. */
const idOf = (key: string) => key.split('/')[2].split('-')[0];

/** `Range: bytes=a-b` / `a-` / `-n` (one range) → inclusive bounds; anything else is the whole file. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | 'unsatisfiable' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Headers that keep a stranger's upload from running as a page of this origin. */
export function sendStored(reply: FastifyReply, contentType: string, filename: string, inline: boolean) {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Content-Security-Policy', "default-src 'none'; img-src 'self'; media-src 'self'; sandbox");
  reply.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(filename)}`);
  reply.type(inline ? contentType : contentType.startsWith('text/') ? 'text/plain; charset=utf-8' : 'application/octet-stream');
}

/**
 * GET /attachments/:channelId/:attachmentId/:filename?ex&is&hm[&width&height]
 *     the file, if the signature is valid and unexpired; images resize for previews.
 * Also: registers this server's URL key for message wire shapes, deletes blobs whose rows are gone
 * (deleted messages, channels, guilds),
 * and every 10 minutes drops uploads never sent within an hour.
 */
export const attachmentFileRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app;
  registerAttachmentUrlKey(deriveUrlKey(ctx.config.jwtSecret));

  const sweeping = new Set<string>();
  const sweep = async (channelId: string) => {
    if (sweeping.has(channelId)) return;
    sweeping.add(channelId);
    try {
      const keys = await ctx.blobs.list(`attachments/${channelId}/`);
      const gone = new Set(await store.missingAttachmentIds(ctx.db, [...new Set(keys.map(idOf))]));
      await ctx.blobs.delete(keys.filter((k) => gone.has(idOf(k))));
    } finally {
      sweeping.delete(channelId);
    }
  };
  /** A deleted guild's emoji, icons and every attachment of its (cascaded) channels. */
  const sweepGuild = async (guildId: string) => {
    if (await store.guildExists(ctx.db, guildId)) return; // only someone left
    await ctx.blobs.delete([...(await ctx.blobs.list(`emojis/${guildId}/`)), ...(await ctx.blobs.list(`icons/${guildId}/`))]);
    const keys = await ctx.blobs.list('attachments/');
    const channelIds = [...new Set(keys.map((k) => k.split('/')[1]))];
    const alive = await store.existingChannelIds(ctx.db, channelIds);
    await ctx.blobs.delete(keys.filter((k) => !alive.has(k.split('/')[1])));
  };
  const off = ctx.bus.subscribe((e) => {
    if (e.t === 'GUILD_DELETE' && !(e.d as { unavailable?: boolean }).unavailable) {
      sweepGuild((e.d as { id: string }).id).catch((err) => ctx.log.warn({ err }, 'guild blob sweep failed'));
      return;
    }
    if (!SWEEP_ON.has(e.t)) return;
    const channelId = e.t === 'CHANNEL_DELETE' ? (e.d as { id?: string }).id : e.channel_id;
    if (channelId) sweep(channelId).catch((err) => ctx.log.warn({ err }, 'attachment sweep failed'));
  });
  // Uploads nobody sent (a closed tab, a failed send) are dropped after an hour.
  const stale = setInterval(() => doSweepStaleUploads(ctx).catch((err) => ctx.log.warn({ err }, 'stale upload sweep failed')), 10 * 60 * 1000);
  stale.unref();
  app.addHook('onClose', async () => {
    off();
    clearInterval(stale);
  });

  /**
   * A resized copy, made once per size step and kept beside the original
   * (`attachments/{channel}/{id}-previews/{w}x{h}.{ext}`), so scrolling past an image costs no sharp run.
   */
  const loadPreview = async (row: store.AttachmentRow, width?: number, height?: number) => {
    const w = width ? step(width) : 0;
    const h = height ? step(height) : 0;
    const type = row.contentType === 'image/gif' ? 'image/gif' : 'image/webp';
    const key = previewKey(row, w, h, type === 'image/gif' ? 'gif' : 'webp');
    const cached = await readBlob(ctx.blobs, key, ctx.config.files.maxUploadBytes);
    if (cached) return { data: cached, type };
    const bytes = await readBlob(ctx.blobs, row.blobKey, ctx.config.files.maxUploadBytes);
    if (!bytes) return undefined;
    const preview = await resizeImage(bytes, row.contentType as string, w || undefined, h || undefined);
    await ctx.blobs.put(key, preview.data, preview.type);
    return preview;
  };

  const sendPreview = async (reply: FastifyReply, row: store.AttachmentRow, width?: number, height?: number) => {
    const preview = await loadPreview(row, width, height);
    if (!preview) throw new ApiError(Errors.UNKNOWN_ATTACHMENT);
    sendStored(reply, preview.type, row.filename, true);
    return reply.send(preview.data);
  };

  /** The file itself, or one byte range of it so video and audio can seek. */
  const sendFile = async (reply: FastifyReply, row: store.AttachmentRow & { contentType: string }, rangeHeader?: string) => {
    const range = parseRange(rangeHeader, row.size);
    if (range === 'unsatisfiable') return reply.code(416).header('Content-Range', `bytes */${row.size}`).send();
    const stream = await ctx.blobs.get(row.blobKey, range);
    if (!stream) throw new ApiError(Errors.UNKNOWN_ATTACHMENT);
    sendStored(reply, row.contentType, row.filename, INLINE_TYPES.has(row.contentType));
    reply.header('Accept-Ranges', 'bytes');
    if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${row.size}`);
    reply.header('Content-Length', range ? range.end - range.start + 1 : row.size);
    return reply.send(stream);
  };

  app.get<{ Params: { channelId: string; attachmentId: string; filename: string }; Querystring: Record<string, string> }>(
    '/attachments/:channelId/:attachmentId/:filename',
    { config: { rateLimit: { limit: 100, windowMs: 1000 } }, schema: { hide: true } },
    async (req, reply) => {
      const row = await accessSignedAttachment(ctx, req.params, req.query);
      reply.header('Cache-Control', 'private, max-age=3600');
      const width = Number(req.query.width) || undefined;
      const height = Number(req.query.height) || undefined;
      if ((width || height) && row.width && PREVIEWABLE.has(row.contentType)) return sendPreview(reply, row, width, height);
      return sendFile(reply, row, req.headers.range);
    },
  );
};
