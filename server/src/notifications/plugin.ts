import type { FastifyInstance } from 'fastify';
import { type AllowList, parseAllowList } from '../embeds/address.js';
import { registerReadyExtender } from '../gateway/extensions.js';
import { ApnsSender } from './apns.js';
import { createBusFeed, createRedisFeed } from './feed.js';
import { loadReadySettings } from './settings.js';
import { createWebPushSender, loadVapidKeys } from './webpush.js';
import { NotificationWorker, type PushSender } from './worker.js';

export interface Notifications {
  vapidPublicKey: string;
  /** PUSH_ALLOW_PRIVATE parsed. */
  pushAllow: AllowList;
  worker: NotificationWorker;
}

declare module 'fastify' {
  interface FastifyInstance {
    notifications: Notifications;
  }
}

/**
 * READY carries `user_guild_settings`; the notification worker reads new messages from the bus
 * (with Redis: one instance per message, through a consumer group) and pushes through Web Push
 * and APNs. Installed after the gateway: the worker reads presence.
 */
export async function installNotifications(app: FastifyInstance) {
  const { ctx } = app;
  const { notify } = ctx.config;
  registerReadyExtender(async (c, userId, guildIds) => ({ user_guild_settings: await loadReadySettings(c, userId, guildIds) }));

  const pushAllow = parseAllowList(notify.pushAllowPrivate);
  const keys = loadVapidKeys(notify, ctx.config.dataDir);
  const webPush = createWebPushSender(notify, keys, pushAllow, ctx.log);
  const senders: PushSender[] = [{ name: 'webpush', sendToUser: webPush.sendToUser, reachable: webPush.reachable }];
  const apns = notify.apns ? ApnsSender.fromConfig(notify.apns, ctx.log) : undefined;
  if (apns) senders.push(apns);
  else
    ctx.log.info(
      { missing: notify.apnsMissing },
      'APNs is off (set APNS_KEY_FILE, APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC to turn it on)',
    );
  const feed = ctx.config.redisUrl ? await createRedisFeed(ctx.config.redisUrl, ctx.config.redisPrefix, ctx.log) : createBusFeed(ctx.bus);
  const worker = new NotificationWorker(ctx, feed, senders, notify.batchMs);
  app.decorate('notifications', { vapidPublicKey: keys.publicKey, pushAllow, worker });
  app.addHook('onReady', async () => worker.start());
  // Before the database and bus close (onClose), so batched pushes still go out.
  app.addHook('preClose', async () => {
    await worker.close();
    await webPush.close();
    apns?.close();
  });
}
