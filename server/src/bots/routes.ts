import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Application,
  AuthorizeBody,
  AuthorizeInfo,
  AuthorizeQuery,
  ErrorResponse,
  Errors,
  OwnedBot,
  PatchBotBody,
  Snowflake,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { ApiError } from '../http/errors.js';
import {
  accessAuthorizeInfo,
  accessMyApplication,
  doAuthorizeBot,
  doDeleteBot,
  doResetBotToken,
  doUpdateBot,
  listMyBots,
} from './service.js';

/**
 * GET    /oauth2/applications/@me, /applications/@me   the calling bot's application (discord.py, discord.js)
 * GET    /users/@me/bots                   the caller's bots (create: POST /users/@me/bots, users/routes.ts)
 * PATCH  /users/@me/bots/:botId            rename / new avatar
 * POST   /users/@me/bots/:botId/reset-token  a new token (the old one stops working)
 * DELETE /users/@me/bots/:botId            the bot leaves every server and cannot log in again
 * GET    /oauth2/authorize?client_id&scope=bot&permissions   what the consent page shows
 * POST   /oauth2/authorize {guild_id, permissions}           add the bot (MANAGE_GUILD), with a managed role
 */
/** Longest /oauth2/authorize URL served (characters, percent-encoded); a valid one is far shorter. */
const MAX_AUTHORIZE_URL = 8192;

export const botsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['bots'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const BotParams = Type.Object({ botId: Snowflake });

  for (const path of ['/oauth2/applications/@me', '/applications/@me']) {
    app.get(path, {
      schema: { tags, response: { 200: Application, ...errors } },
      handler: async (req) => accessMyApplication(ctx, caller(req)),
    });
  }

  app.get('/users/@me/bots', {
    schema: { tags, response: { 200: Type.Array(OwnedBot), ...errors } },
    handler: async (req) => listMyBots(ctx, caller(req)),
  });

  app.patch('/users/@me/bots/:botId', {
    schema: { tags, params: BotParams, body: PatchBotBody, response: { 200: OwnedBot, ...errors } },
    handler: async (req) => doUpdateBot(ctx, caller(req), req.params.botId, req.body),
  });

  app.post('/users/@me/bots/:botId/reset-token', {
    schema: { tags, params: BotParams, response: { 200: Type.Object({ token: Type.String() }), ...errors } },
    handler: async (req) => doResetBotToken(ctx, caller(req), req.params.botId),
  });

  app.delete('/users/@me/bots/:botId', {
    schema: { tags, params: BotParams, response: { 204: Type.Null(), ...errors } },
    handler: async (req, reply) => {
      await doDeleteBot(ctx, caller(req), req.params.botId);
      return reply.code(204).send(null);
    },
  });

  // Authorize links are pasted by hand: over-long ones get 414 with our body; past Node's 16 KB
  // header limit the HTTP server itself answers 431 before any route runs. Both are documented.
  const longQuery = {
    414: ErrorResponse,
    431: Type.Unknown({ description: 'Request Header Fields Too Large: the request line and headers exceed 16 KB (Node HTTP server).' }),
  };
  const capUrl = async (req: { url: string }) => {
    if (req.url.length > MAX_AUTHORIZE_URL) throw new ApiError(Errors.URI_TOO_LONG);
  };

  app.get('/oauth2/authorize', {
    onRequest: capUrl,
    schema: { tags, querystring: AuthorizeQuery, response: { 200: AuthorizeInfo, ...errors, ...longQuery } },
    handler: async (req) => accessAuthorizeInfo(ctx, caller(req), req.query),
  });

  app.post('/oauth2/authorize', {
    onRequest: capUrl,
    schema: {
      tags,
      querystring: AuthorizeQuery,
      body: AuthorizeBody,
      response: { 200: Type.Object({ location: Type.Null(), guild_id: Snowflake, new_member: Type.Boolean() }), ...errors, ...longQuery },
    },
    handler: async (req) => doAuthorizeBot(ctx, caller(req), req.query, req.body),
  });
};
