import type { FastifyInstance } from 'fastify';
import { registerReadyExtender } from '../gateway/extensions.js';
import { loadReadySettings } from './settings.js';

/** READY carries `user_guild_settings`; the notification worker starts here (after the gateway: it reads presence). */
export async function installNotifications(app: FastifyInstance) {
  registerReadyExtender(async (ctx, userId, guildIds) => ({ user_guild_settings: await loadReadySettings(ctx, userId, guildIds) }));
}
