import { Errors } from '@retrocast/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/errors.js';
import { DISK_UPLOAD_PREFIX } from './disk.js';
import { deriveUrlKey, verifyPath } from './signing.js';

/**
 * PUT /uploads/*   direct upload to the disk store with an HMAC-signed URL (blobs/disk.ts presignPut);
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
    await ctx.blobs.put(decodeURIComponent(path.slice(DISK_UPLOAD_PREFIX.length)), body);
    return reply.code(200).send();
  });
};
