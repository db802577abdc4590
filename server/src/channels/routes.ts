import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  Channel,
  ChannelPositionsBody,
  CreateChannelBody,
  ErrorResponse,
  PatchChannelBody,
  PutOverwriteBody,
  Snowflake,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import {
  accessGetChannel,
  accessListChannels,
  doCreateChannel,
  doDeleteChannel,
  doDeleteOverwrite,
  doPutOverwrite,
  doUpdateChannel,
  doUpdateChannelPositions,
} from './service.js';

/**
 * GET    /guilds/:guildId/channels                           channels the caller can see
 * POST   /guilds/:guildId/channels                           create (MANAGE_CHANNELS)
 * PATCH  /guilds/:guildId/channels                           bulk positions/parents (MANAGE_CHANNELS)
 * GET    /channels/:channelId                                one channel (VIEW_CHANNEL)
 * PATCH  /channels/:channelId                                edit (MANAGE_CHANNELS)
 * DELETE /channels/:channelId                                delete (MANAGE_CHANNELS)
 * PUT    /channels/:channelId/permissions/:overwriteId       set an overwrite (MANAGE_ROLES)
 * DELETE /channels/:channelId/permissions/:overwriteId       remove an overwrite (MANAGE_ROLES)
 */
export const channelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['channels'];
  const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
  const GuildParams = Type.Object({ guildId: Snowflake });
  const ChannelParams = Type.Object({ channelId: Snowflake });
  const OverwriteParams = Type.Object({ channelId: Snowflake, overwriteId: Snowflake });

  app.get('/guilds/:guildId/channels', {
    schema: { tags, params: GuildParams, response: { 200: Type.Array(Channel), ...errors } },
    handler: async (req) => accessListChannels(ctx, caller(req), req.params.guildId),
  });

  app.post('/guilds/:guildId/channels', {
    schema: { tags, params: GuildParams, body: CreateChannelBody, response: { 201: Channel, ...errors } },
    handler: async (req, reply) =>
      reply.code(201).send(await doCreateChannel(ctx, caller(req), req.params.guildId, req.body, auditReason(req))),
  });

  app.patch('/guilds/:guildId/channels', {
    schema: { tags, params: GuildParams, body: ChannelPositionsBody },
    handler: async (req, reply) => {
      await doUpdateChannelPositions(ctx, caller(req), req.params.guildId, req.body, auditReason(req));
      return reply.code(204).send();
    },
  });

  app.get('/channels/:channelId', {
    schema: { tags, params: ChannelParams, response: { 200: Channel, ...errors } },
    handler: async (req) => accessGetChannel(ctx, caller(req), req.params.channelId),
  });

  app.patch('/channels/:channelId', {
    schema: { tags, params: ChannelParams, body: PatchChannelBody, response: { 200: Channel, ...errors } },
    handler: async (req) => doUpdateChannel(ctx, caller(req), req.params.channelId, req.body, auditReason(req)),
  });

  app.delete('/channels/:channelId', {
    schema: { tags, params: ChannelParams, response: { 200: Channel, ...errors } },
    handler: async (req) => doDeleteChannel(ctx, caller(req), req.params.channelId, auditReason(req)),
  });

  app.put('/channels/:channelId/permissions/:overwriteId', {
    schema: { tags, params: OverwriteParams, body: PutOverwriteBody },
    handler: async (req, reply) => {
      await doPutOverwrite(ctx, caller(req), req.params.channelId, req.params.overwriteId, req.body, auditReason(req));
      return reply.code(204).send();
    },
  });

  app.delete('/channels/:channelId/permissions/:overwriteId', {
    schema: { tags, params: OverwriteParams },
    handler: async (req, reply) => {
      await doDeleteOverwrite(ctx, caller(req), req.params.channelId, req.params.overwriteId, auditReason(req));
      return reply.code(204).send();
    },
  });
};
