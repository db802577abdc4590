import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateWebhookBody,
  EditMessageBody,
  ErrorResponse,
  ExecuteWebhookBody,
  ExecuteWebhookQuery,
  Message,
  PatchWebhookBody,
  PatchWebhookWithTokenBody,
  Snowflake,
  Webhook,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { requestBase } from '../http/discord-compat.js';
import {
  accessGetWebhook,
  accessGetWebhookMessage,
  accessWebhookByToken,
  doCreateWebhook,
  doDeleteManagedWebhook,
  doDeleteWebhook,
  doDeleteWebhookMessage,
  doEditWebhookMessage,
  doExecuteWebhook,
  doUpdateManagedWebhook,
  doUpdateWebhook,
  listChannelWebhooks,
  listGuildWebhooks,
  toWireWebhook,
} from './service.js';

/**
 * POST   /channels/:channelId/webhooks      create (MANAGE_WEBHOOKS)
 * GET    /channels/:channelId/webhooks      list (MANAGE_WEBHOOKS); GET /guilds/:guildId/webhooks likewise
 * GET/PATCH/DELETE /webhooks/:webhookId     (MANAGE_WEBHOOKS in its channel)
 * GET/PATCH/DELETE /webhooks/:webhookId/:token   no auth: the token is the credential
 * POST   /webhooks/:webhookId/:token        execute: content, username, avatar_url, embeds, files; ?wait=true returns the message
 * GET/PATCH/DELETE /webhooks/:webhookId/:token/messages/:messageId   a message this webhook posted (no auth)
 */
export const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['webhooks'];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const base = (req: { protocol: string; host: string }) => requestBase(ctx.config.publicUrl, req);
  const IdParams = Type.Object({ webhookId: Snowflake });
  const TokenParams = Type.Object({ webhookId: Snowflake, token: Type.String({ minLength: 1, maxLength: 100 }) });
  const open = { public: true, rateLimit: { limit: 30, windowMs: 60_000 } };

  app.post('/channels/:channelId/webhooks', {
    schema: { tags, params: Type.Object({ channelId: Snowflake }), body: CreateWebhookBody, response: { 200: Webhook, ...errors } },
    handler: async (req) => doCreateWebhook(ctx, caller(req), req.params.channelId, req.body, base(req)),
  });
  app.get('/channels/:channelId/webhooks', {
    schema: { tags, params: Type.Object({ channelId: Snowflake }), response: { 200: Type.Array(Webhook), ...errors } },
    handler: async (req) => listChannelWebhooks(ctx, caller(req), req.params.channelId, base(req)),
  });
  app.get('/guilds/:guildId/webhooks', {
    schema: { tags, params: Type.Object({ guildId: Snowflake }), response: { 200: Type.Array(Webhook), ...errors } },
    handler: async (req) => listGuildWebhooks(ctx, caller(req), req.params.guildId, base(req)),
  });

  app.get('/webhooks/:webhookId', {
    schema: { tags, params: IdParams, response: { 200: Webhook, ...errors } },
    handler: async (req) => accessGetWebhook(ctx, caller(req), req.params.webhookId, base(req)),
  });
  app.patch('/webhooks/:webhookId', {
    schema: { tags, params: IdParams, body: PatchWebhookBody, response: { 200: Webhook, ...errors } },
    handler: async (req) => doUpdateManagedWebhook(ctx, caller(req), req.params.webhookId, req.body, base(req)),
  });
  app.delete('/webhooks/:webhookId', {
    schema: { tags, params: IdParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteManagedWebhook(ctx, caller(req), req.params.webhookId);
      return reply.code(204).send(null);
    },
  });

  app.get('/webhooks/:webhookId/:token', {
    config: open,
    schema: { tags, params: TokenParams, response: { 200: Webhook, ...errors } },
    handler: async (req) => {
      const row = await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token);
      const wire = await toWireWebhook(ctx.db, row, base(req), true);
      const { user: _creator, ...rest } = wire; // Discord omits the creator here
      return rest;
    },
  });
  app.patch('/webhooks/:webhookId/:token', {
    config: open,
    schema: { tags, params: TokenParams, body: PatchWebhookWithTokenBody, response: { 200: Webhook, ...errors } },
    handler: async (req) => {
      const row = await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token);
      return doUpdateWebhook(ctx, row, null, req.body, base(req));
    },
  });
  app.delete('/webhooks/:webhookId/:token', {
    config: open,
    schema: { tags, params: TokenParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteWebhook(ctx, await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token));
      return reply.code(204).send(null);
    },
  });

  app.post('/webhooks/:webhookId/:token', {
    config: open,
    schema: {
      tags,
      params: TokenParams,
      querystring: ExecuteWebhookQuery,
      body: ExecuteWebhookBody,
      response: { 200: Message, 204: Type.Null(), ...errors },
    },
    handler: async (req, reply) => {
      const row = await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token);
      const message = await doExecuteWebhook(ctx, row, req.body);
      return req.query.wait ? message : reply.code(204).send(null);
    },
  });

  const MessageParams = Type.Object({ ...TokenParams.properties, messageId: Snowflake });
  app.get('/webhooks/:webhookId/:token/messages/:messageId', {
    config: open,
    schema: { tags, params: MessageParams, response: { 200: Message, ...errors } },
    handler: async (req) =>
      accessGetWebhookMessage(ctx, await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token), req.params.messageId),
  });
  app.patch('/webhooks/:webhookId/:token/messages/:messageId', {
    config: open,
    schema: { tags, params: MessageParams, body: EditMessageBody, response: { 200: Message, ...errors } },
    handler: async (req) => {
      const row = await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token);
      return doEditWebhookMessage(ctx, row, req.params.messageId, req.body);
    },
  });
  app.delete('/webhooks/:webhookId/:token/messages/:messageId', {
    config: open,
    schema: { tags, params: MessageParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      const row = await accessWebhookByToken(ctx.db, req.params.webhookId, req.params.token);
      await doDeleteWebhookMessage(ctx, row, req.params.messageId);
      return reply.code(204).send(null);
    },
  });
};
