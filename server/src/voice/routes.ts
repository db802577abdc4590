import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorResponse,
  IdParam,
  Snowflake,
  VoiceJoinBody,
  VoiceJoinResponse,
  VoiceModerationBody,
  VoiceRegion,
  VoiceStatePayload,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { auditReason } from '../audit-log/reason.js';
import { caller } from '../context.js';
import { accessVoiceModeration, doModerateVoice } from './moderation.js';
import { accessVoiceState, doJoinVoice, newVoiceSessionId } from './service.js';
import { toWireVoiceState } from './wire.js';

/** Every Retrocast server is its own single voice region. */
const REGIONS = [{ id: 'local', name: 'This server', optimal: true, deprecated: false, custom: true }];

/**
 * POST  /channels/:channelId/voice/join       LiveKit URL + token, for clients without a gateway
 * GET   /voice/regions                        the one region
 * GET   /guilds/:guildId/voice-states/:userId a member's voice state (@me for the caller)
 * PATCH /guilds/:guildId/voice-states/:userId server mute/deafen, move, disconnect (moderators)
 */
export const voiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['voice'];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse };

  app.post('/channels/:channelId/voice/join', {
    schema: { tags, params: IdParam('channelId'), body: Type.Optional(VoiceJoinBody), response: { 200: VoiceJoinResponse, ...errors } },
    handler: async (req) => {
      const opts = {
        sessionId: newVoiceSessionId(),
        selfMute: req.body?.self_mute,
        selfDeaf: req.body?.self_deaf,
        origin: `${req.protocol === 'https' ? 'wss' : 'ws'}://${req.host}`,
      };
      const server = await doJoinVoice(ctx, caller(req).id, req.params.channelId, opts);
      return { url: server.endpoint, token: server.token, voice_state: toWireVoiceState(server.state) };
    },
  });

  app.get('/voice/regions', {
    schema: { tags, response: { 200: Type.Array(VoiceRegion), ...errors } },
    handler: async () => REGIONS,
  });

  app.get('/guilds/:guildId/voice-states/:userId', {
    schema: {
      tags,
      params: Type.Object({ guildId: Snowflake, userId: Type.Union([Snowflake, Type.Literal('@me')]) }),
      response: { 200: VoiceStatePayload, ...errors },
    },
    handler: async (req) => {
      const me = caller(req).id;
      return accessVoiceState(ctx, me, req.params.guildId, req.params.userId === '@me' ? me : req.params.userId);
    },
  });

  app.patch('/guilds/:guildId/voice-states/:userId', {
    schema: {
      tags,
      params: Type.Object({ guildId: Snowflake, userId: Snowflake }),
      body: VoiceModerationBody,
      response: { 204: Type.Null(), ...errors },
    },
    handler: async (req, reply) => {
      const { guildId, userId } = req.params;
      const state = await accessVoiceModeration(ctx, caller(req).id, guildId, userId, req.body);
      await doModerateVoice(ctx, caller(req), state, req.body, auditReason(req));
      return reply.code(204).send(null);
    },
  });
};
