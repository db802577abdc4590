import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Errors, isSnowflake } from '@retrocast/protocol';
import { readBlob } from '../blobs/types.js';
import { loadEmojiById } from '../emojis/store.js';
import { ApiError } from '../http/errors.js';
import { type ImageFormat, renderImage } from './images.js';
import { type ImageKind, imageKey } from './service.js';

const FILE = /^(a_)?([0-9a-f]{32})\.(png|webp|gif|jpg|jpeg)$/;
const EMOJI_FILE = /^(\d{1,19})\.(png|webp|gif|jpg|jpeg)$/;
const MASTER_MAX = 4 * 1024 * 1024;
const notFound = () => new ApiError({ code: 0, status: 404, message: '404: Not Found' });

/** `?size=` must be 16..4096 (Discord: a power of two; any value in range is accepted here). */
function parseSize(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 16 || n > 4096) throw new ApiError({ code: 50035, status: 400, message: 'size must be an integer between 16 and 4096' });
  return n;
}

function sendImage(reply: FastifyReply, img: { data: Buffer; type: string }) {
  // The hash (or emoji id) is in the URL: the bytes behind it never change.
  reply.header('Cache-Control', 'public, max-age=31536000, immutable');
  reply.header('X-Content-Type-Options', 'nosniff');
  return reply.type(img.type).send(img.data);
}

/**
 * GET /avatars/:userId/:file    user avatars   ({hash}.{png|webp|gif|jpg}, a_ hashes animate as gif/webp) ?size=16..4096
 * GET /icons/:guildId/:file     guild icons    (same)
 * GET /channel-icons/:channelId/:file  group DM icons (same)
 * GET /emojis/:file             custom emoji   ({id}.{png|webp|gif}) ?size=
 * Public like Discord's CDN, outside /api.
 */
export const imageRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app;
  const rateLimit = { limit: 200, windowMs: 1000 };

  for (const kind of ['avatars', 'icons', 'channel-icons'] as ImageKind[]) {
    app.get<{ Params: { ownerId: string; file: string }; Querystring: { size?: string } }>(
      `/${kind}/:ownerId/:file`,
      { config: { rateLimit }, schema: { hide: true } },
      async (req, reply) => {
        const m = FILE.exec(req.params.file);
        if (!m || !isSnowflake(req.params.ownerId)) throw notFound();
        const animated = Boolean(m[1]);
        const format = m[3] as ImageFormat;
        if (format === 'gif' && !animated) throw notFound();
        const size = parseSize(req.query.size);
        const master = await readBlob(ctx.blobs, imageKey(kind, req.params.ownerId, `${m[1] ?? ''}${m[2]}`), MASTER_MAX);
        if (!master) throw notFound();
        return sendImage(reply, await renderImage(master, animated, format, size));
      },
    );
  }

  app.get<{ Params: { file: string }; Querystring: { size?: string } }>('/emojis/:file', { config: { rateLimit }, schema: { hide: true } }, async (req, reply) => {
    const m = EMOJI_FILE.exec(req.params.file);
    if (!m || !isSnowflake(m[1])) throw notFound();
    const row = await loadEmojiById(ctx.db, m[1]);
    if (!row) throw new ApiError(Errors.UNKNOWN_EMOJI);
    const master = await readBlob(ctx.blobs, row.blobKey, MASTER_MAX);
    if (!master) throw notFound();
    return sendImage(reply, await renderImage(master, row.animated, m[2] as ImageFormat, parseSize(req.query.size)));
  });
};
