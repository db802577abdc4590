import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  DeletePushSubscriptionBody,
  DeviceBody,
  ErrorResponse,
  PatchUserGuildSettingsBody,
  PushSubscriptionBody,
  Snowflake,
  UserGuildSettings,
} from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { doAddDevice, doAddPushSubscription, doDeleteDevice, doDeletePushSubscription } from './devices.js';
import { accessSettings, doPatchSettings } from './settings.js';

/** A guild id, or `@me` for the DM settings (Discord's convention). */
const SettingsParams = Type.Object({ guildId: Type.Union([Snowflake, Type.Literal('@me')]) });
const guildOrDms = (id: string) => (id === '@me' ? null : id);

/**
 * GET   /users/@me/guilds/:guildId/settings   notification settings of a guild (`@me`: DMs)
 * PATCH /users/@me/guilds/:guildId/settings   change them; USER_GUILD_SETTINGS_UPDATE to the caller's sessions
 * GET   /push/vapid-public-key                  the VAPID key browsers subscribe with (public)
 * POST  /users/@me/push-subscriptions           add a browser's Web Push subscription
 * DELETE /users/@me/push-subscriptions          remove one ({endpoint})
 * POST  /users/@me/devices                      add an APNs device token ({platform: "ios", token})
 * DELETE /users/@me/devices                     remove one
 */
export const notificationsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app;
  const tags = ['notifications'];

  app.get('/users/@me/guilds/:guildId/settings', {
    schema: { tags, params: SettingsParams, response: { 200: UserGuildSettings, 404: ErrorResponse } },
    handler: async (req) => accessSettings(ctx, caller(req), guildOrDms(req.params.guildId)),
  });

  app.patch('/users/@me/guilds/:guildId/settings', {
    schema: {
      tags,
      params: SettingsParams,
      body: PatchUserGuildSettingsBody,
      response: { 200: UserGuildSettings, 400: ErrorResponse, 404: ErrorResponse },
    },
    handler: async (req) => doPatchSettings(ctx, caller(req), guildOrDms(req.params.guildId), req.body),
  });

  app.get('/push/vapid-public-key', {
    config: { public: true },
    schema: { tags, response: { 200: Type.Object({ public_key: Type.String() }) } },
    handler: async () => ({ public_key: app.notifications.vapidPublicKey }),
  });

  app.post('/users/@me/push-subscriptions', {
    schema: { tags, body: PushSubscriptionBody, response: { 204: Type.Null(), 400: ErrorResponse, 403: ErrorResponse } },
    handler: async (req, reply) => {
      await doAddPushSubscription(ctx, caller(req), req.body, app.notifications.pushAllow);
      return reply.code(204).send(null);
    },
  });

  app.delete('/users/@me/push-subscriptions', {
    schema: { tags, body: DeletePushSubscriptionBody, response: { 204: Type.Null(), 400: ErrorResponse, 404: ErrorResponse } },
    handler: async (req, reply) => {
      await doDeletePushSubscription(ctx, caller(req), req.body.endpoint);
      return reply.code(204).send(null);
    },
  });

  app.post('/users/@me/devices', {
    schema: { tags, body: DeviceBody, response: { 204: Type.Null(), 400: ErrorResponse, 403: ErrorResponse } },
    handler: async (req, reply) => {
      await doAddDevice(ctx, caller(req), req.body);
      return reply.code(204).send(null);
    },
  });

  app.delete('/users/@me/devices', {
    schema: { tags, body: DeviceBody, response: { 204: Type.Null(), 400: ErrorResponse, 404: ErrorResponse } },
    handler: async (req, reply) => {
      await doDeleteDevice(ctx, caller(req), req.body);
      return reply.code(204).send(null);
    },
  });
};
