import { Errors } from '@retrocast/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/errors.js';
import { DISK_UPLOAD_PREFIX } from './disk.js';
import { deriveUrlKey, verifyPath } from './signing.js';
import { UPLOAD_PREFIX } from './types.js';

/**
 * PUT /uploads/*   direct upload to the disk store with an HMAC-signed URL (blobs/disk.ts presignPut),
 *                  once: a key is never overwritten, and an `uploads/` key is dead once taken in;
 *                  the S3 store hands out S3 presigned URLs instead, so this route refuses everything then.
 */
export const blobUploadRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app;
  const urlKey = deriveUrlKey(ctx.config.jwtSecret);
  // Raw bytes of any type; Fastify stops reading at the limit, before anything is stored.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.config.files.maxUploadBytes }, (_req, body, done) => done(null, body));

  app.put(`${DISK_UPLOAD_PREFIX}*`, { config: { rateLimit: { limit: 20, windowMs: 1000 } }, schema: { hide: true } }, async (req, reply) => {
    const path = req.url.split('?')[0];
    const query = req.query as Record<string, string>;
    const size = Number(query.size);
    if (ctx.blobs.kind !== 'disk' || !verifyPath(urlKey, `PUT ${path} ${query.size}`, query)) throw new ApiError(Errors.MISSING_ACCESS);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length !== size) throw new ApiError(Errors.INVALID_FORM_BODY);
    const key = decodeURIComponent(path.slice(DISK_UPLOAD_PREFIX.length));
    // Single use: the URL writes its key once, and is dead once the upload was taken into its real key.
    const taken = key.startsWith(UPLOAD_PREFIX) && (await ctx.blobs.head(key.slice(UPLOAD_PREFIX.length)));
    if (taken || !(await ctx.blobs.create(key, body))) throw new ApiError(Errors.UPLOAD_URL_USED);
    return reply.code(200).send();
  });
};
