import { CreateUploadsBody, CreateUploadsResponse, ErrorResponse, Snowflake } from '@retrocast/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { doCreateUploads } from './service.js';

/**
 * POST /channels/:channelId/attachments   direct upload: upload URLs (PUT within 5 minutes) for up to 10 files
 *
 * The multipart form of POST /channels/:channelId/messages lives in uploads.ts; serving in files.ts.
 */
export const attachmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse };
  app.post('/channels/:channelId/attachments', {
    config: { rateLimit: { limit: 10, windowMs: 5000 } },
    schema: { tags: ['attachments'], params: Type.Object({ channelId: Snowflake }), body: CreateUploadsBody, response: { 200: CreateUploadsResponse, ...errors } },
    handler: async (req) => {
      const baseUrl = ctx.config.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;
      return doCreateUploads(ctx, caller(req), req.params.channelId, req.body, baseUrl);
    },
  });
};
