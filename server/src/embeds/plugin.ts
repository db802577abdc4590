import { resizeImage } from '../attachments/inspect.js';
import type { FastifyInstance } from 'fastify';
import { deriveUrlKey, verifyPath } from '../blobs/signing.js';
import { ApiError, invalidField } from '../http/errors.js';
import { parseAllowList } from './address.js';
import { BlockedError, createSafeFetcher, readCapped } from './fetcher.js';
import { EmbedCache, doUnfurl } from './service.js';
import { sniffType } from '../attachments/sniff.js';

const SEND_ROUTE = '/api/v10/channels/:channelId/messages';
const PROXY_CAP = 8 * 1024 * 1024;
const MAX_RUNNING = 32;

/** `width` / `height` of a proxied preview: 16..2048, or absent. */
function proxySize(raw: unknown, field: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 16 || n > 2048) throw invalidField(field, 'NUMBER_TYPE_MIN', `${field} must be an integer between 16 and 2048`);
  return n;
}

/**
 * Link previews. After POST …/messages answers 200, the instance that created the message fetches
 * its links in the background (embeds/service.ts) through the SSRF-safe fetcher.
 * GET /external/proxy?url=…&ex&is&hm[&width&height[&fit=cover]]   a preview image, fetched by us so
 *     readers never contact third parties; with a size, resized (WebP) to what the client shows.
 * Call before the API routes are registered.
 */
export async function installLinkEmbeds(app: FastifyInstance) {
  const { ctx } = app;
  const fetcher = createSafeFetcher(parseAllowList(ctx.config.files.embedAllowPrivate));
  const cache = new EmbedCache();
  const stop = new AbortController();
  const running = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    stop.abort();
    await Promise.allSettled(running);
    await fetcher.close();
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (ctx.config.files.embedsDisabled || req.method !== 'POST' || req.routeOptions.url !== SEND_ROUTE || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    // Most messages have no link: skip parsing the response for them (the content is in it verbatim).
    if (!payload.includes('http')) return payload;
    let msg: { id: string; channel_id: string; content: string; flags?: number; embeds?: unknown[] };
    try {
      msg = JSON.parse(payload);
    } catch {
      return payload;
    }
    // Past MAX_RUNNING previews in flight (a flood of links), new ones are skipped rather than queued.
    if (!msg.content?.includes('http') || msg.embeds?.length || running.size >= MAX_RUNNING) return payload;
    const job = doUnfurl(ctx, fetcher, cache, msg, stop.signal)
      .catch((err) => {
        if (!stop.signal.aborted) ctx.log.debug({ err }, 'link preview failed');
      })
      .finally(() => running.delete(job));
    running.add(job);
    return payload;
  });

  const urlKey = deriveUrlKey(ctx.config.jwtSecret);
  app.get<{ Querystring: Record<string, string> }>('/external/proxy', { config: { rateLimit: { limit: 50, windowMs: 1000 } }, schema: { hide: true } }, async (req, reply) => {
    const url = req.query.url;
    if (typeof url !== 'string' || !verifyPath(urlKey, `external ${url}`, req.query)) throw new ApiError({ code: 0, status: 404, message: '404: Not Found' });
    const width = proxySize(req.query.width, 'width');
    const height = proxySize(req.query.height, 'height');
    const fit = req.query.fit === undefined || req.query.fit === 'inside' ? 'inside' : req.query.fit === 'cover' ? 'cover' : undefined;
    if (!fit) throw invalidField('fit', 'BASE_TYPE_CHOICES', 'fit must be inside or cover');
    let body: Buffer | undefined;
    try {
      const { res } = await fetcher.get(url, 'image/*', stop.signal);
      body = res.ok ? await readCapped(res, PROXY_CAP, true) : undefined;
    } catch (err) {
      if (!(err instanceof BlockedError)) req.log.debug({ err }, 'proxy fetch failed');
    }
    const type = body ? (await sniffType(body).catch(() => undefined))?.mime : undefined;
    // Only real raster images pass (the type comes from the bytes); SVG and everything else is refused.
    if (!body || !type || !['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'].includes(type)) {
      throw new ApiError({ code: 0, status: 404, message: '404: Not Found' });
    }
    reply.header('Cache-Control', 'public, max-age=86400');
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Content-Security-Policy', "default-src 'none'; sandbox");
    if (width || height) {
      // An 80 px thumbnail should not download a 657 KB original.
      const small = await resizeImage(body, type, width, height, fit).catch(() => undefined);
      if (small) return reply.type(small.type).send(small.data);
    }
    return reply.type(type).send(body);
  });
}
