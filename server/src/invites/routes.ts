import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateInviteBody, ErrorResponse, GetInviteQuery, Invite, InviteCodeParam, Snowflake } from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { onlineCounter } from '../guilds/online-count.js';
import { emptyBodyAsObject } from '../guilds/optional-body.js';
import { accessChannelInvites, accessGetInvite, accessGuildInvites, doAcceptInvite, doCreateInvite, doDeleteInvite } from './service.js';

/**
 * POST   /channels/:channelId/invites    create (CREATE_INSTANT_INVITE)
 * GET    /channels/:channelId/invites    list (MANAGE_CHANNELS)
 * GET    /guilds/:guildId/invites        list (MANAGE_GUILD)
 * GET    /invites/:code                  public preview (?with_counts)
 * POST   /invites/:code                  accept: join the guild
 * DELETE /invites/:code                  revoke (MANAGE_CHANNELS or MANAGE_GUILD)
 */
export const invitesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['invites'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const ChannelParams = Type.Object({ channelId: Snowflake });
  const countOnline = onlineCounter(app);

  app.post('/channels/:channelId/invites', {
    preValidation: emptyBodyAsObject,
    schema: { tags, params: ChannelParams, body: CreateInviteBody, response: { 200: Invite, ...errors } },
    handler: async (req) => doCreateInvite(ctx, caller(req), req.params.channelId, req.body, auditReason(req)),
  });

  app.get('/channels/:channelId/invites', {
    schema: { tags, params: ChannelParams, response: { 200: Type.Array(Invite), ...errors } },
    handler: async (req) => accessChannelInvites(ctx, caller(req), req.params.channelId),
  });

  app.get('/guilds/:guildId/invites', {
    schema: { tags, params: Type.Object({ guildId: Snowflake }), response: { 200: Type.Array(Invite), ...errors } },
    handler: async (req) => accessGuildInvites(ctx, caller(req), req.params.guildId),
  });

  app.get('/invites/:code', {
    config: { public: true },
    schema: { tags, params: InviteCodeParam, querystring: GetInviteQuery, response: { 200: Invite, ...errors } },
    handler: async (req) => accessGetInvite(ctx, req.params.code, req.query.with_counts ? countOnline : null),
  });

  app.post('/invites/:code', {
    schema: { tags, params: InviteCodeParam, response: { 200: Invite, ...errors } },
    handler: async (req) => doAcceptInvite(ctx, caller(req), req.params.code),
  });

  app.delete('/invites/:code', {
    schema: { tags, params: InviteCodeParam, response: { 200: Invite, ...errors } },
    handler: async (req) => doDeleteInvite(ctx, caller(req), req.params.code, auditReason(req)),
  });
};
