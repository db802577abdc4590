import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, PatchUserGuildSettingsBody, UserGuildSettings } from '@retrocast/protocol';
import { Type } from 'typebox';
import { caller } from '../context.js';
import { accessSettings, doPatchSettings } from './settings.js';

/** A guild id, or `@me` for the DM settings (Discord's convention). */
const SettingsParams = Type.Object({ guildId: Type.String({ pattern: '^([0-9]{1,20}|@me)$' }) });
const guildOrDms = (id: string) => (id === '@me' ? null : id);

/**
 * GET   /users/@me/guilds/:guildId/settings   notification settings of a guild (`@me`: DMs)
 * PATCH /users/@me/guilds/:guildId/settings   change them; USER_GUILD_SETTINGS_UPDATE to the caller's sessions
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
};
