import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SnowflakeGenerator } from '@retrocast/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { installAdminSocket } from './admin/socket.js';
import { attachmentFileRoutes } from './attachments/files.js';
import { attachmentsRoutes } from './attachments/routes.js';
import { installMessageUploads } from './attachments/uploads.js';
import { auditLogRoutes } from './audit-log/routes.js';
import { authRoutes, installAuthHook } from './auth/routes.js';
import { SessionGuard } from './auth/session-guard.js';
import { argon2Queue } from './auth/work-queue.js';
import { defaultAvatarRoutes } from './avatars/default-avatars.js';
import { imageRoutes } from './avatars/routes.js';
import { installScheduledBackups } from './backup/schedule.js';
import { bansRoutes } from './bans/routes.js';
import { openBlobStore } from './blobs/index.js';
import { blobUploadRoutes } from './blobs/routes.js';
import { botsRoutes } from './bots/routes.js';
import { openBus } from './bus/index.js';
import { callsRoutes } from './calls/routes.js';
import { channelsRoutes } from './channels/routes.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase } from './db/client.js';
import { dmsRoutes } from './dms/routes.js';
import { installLinkEmbeds } from './embeds/plugin.js';
import { emojisRoutes } from './emojis/routes.js';
import { twemojiRoutes } from './emojis/twemoji.js';
import { installGateway } from './gateway/plugin.js';
import { gatewayRoutes } from './gateway/routes.js';
import { GuildStateCache, installGuildStateCache } from './guild-state/cache.js';
import { guildsRoutes } from './guilds/routes.js';
import { healthRoutes } from './health/routes.js';
import { installCompression } from './http/compression.js';
import { installDiscordCompat } from './http/discord-compat.js';
import { frameworkError, installErrorHandler, installNotFound } from './http/error-handler.js';
import { installNameNormalization } from './http/names.js';
import { finishOpenApi, installResponseDocs } from './http/openapi.js';
import { installCors, installSecurityHeaders } from './http/security-headers.js';
import { installNulGuard, schemaCompilers } from './http/validation.js';
import { findWebDir, installWebClient } from './http/web.js';
import { claimIdSlot } from './ids/slot.js';
import { instanceRoutes } from './instance/routes.js';
import { invitesRoutes } from './invites/routes.js';
import { installLan } from './lan/plugin.js';
import { httpsServerFactory, installPlainHttp } from './lan/servers.js';
import type { TlsManager } from './lan/tls.js';
import { membersRoutes } from './members/routes.js';
import { installLastMessageWriter, LastMessageWriter } from './messages/last-message.js';
import { messagesRoutes } from './messages/routes.js';
import { installNotifications } from './notifications/plugin.js';
import { notificationsRoutes } from './notifications/routes.js';
import { pinsRoutes } from './pins/routes.js';
import { installRateLimits } from './ratelimit/plugin.js';
import { createMemoryRateLimitStore, createRedisRateLimitStore } from './ratelimit/store.js';
import { reactionsRoutes } from './reactions/routes.js';
import { readStatesRoutes } from './read-states/routes.js';
import { relationshipsRoutes } from './relationships/routes.js';
import { rolesRoutes } from './roles/routes.js';
import { searchRoutes } from './search/routes.js';
import { typingRoutes } from './typing/routes.js';
import { usersRoutes } from './users/routes.js';
import { installVoice } from './voice/plugin.js';
import { installLiveKitProxy } from './voice/proxy.js';
import { voiceRoutes } from './voice/routes.js';
import { webhooksRoutes } from './webhooks/routes.js';

/** Domain route plugins, mounted under /api/v10 (v9 and v1 are rewritten to it). One line each. */
const API_ROUTES = [
  authRoutes,
  usersRoutes,
  attachmentsRoutes,
  emojisRoutes,
  reactionsRoutes,
  guildsRoutes,
  channelsRoutes,
  membersRoutes,
  invitesRoutes,
  rolesRoutes,
  bansRoutes,
  auditLogRoutes,
  messagesRoutes,
  pinsRoutes,
  readStatesRoutes,
  searchRoutes,
  dmsRoutes,
  relationshipsRoutes,
  callsRoutes,
  voiceRoutes,
  gatewayRoutes,
  typingRoutes,
  notificationsRoutes,
  instanceRoutes,
];

/**
 * The only wiring file. Order matters:
 * 1. infrastructure (db, bus, rate-limit store) so every plugin can use `app.ctx`;
 * 2. cross-cutting hooks (validation, errors, auth, rate limits) before any route is added;
 * 3. OpenAPI, so it sees every route;
 * 4. the API, then the web client and its deep-link fallback last.
 */
export async function buildApp(config: Config): Promise<FastifyInstance> {
  // HTTPS with our local CA (or TLS_CERT) unless TLS=off; plain HTTP beside it (lan/servers.ts).
  // Loaded only when used (TLS, METRICS): each library costs resident memory (bench/README.md, issue 16).
  const tls: TlsManager | null =
    config.lan.tls === 'off' ? null : await (await import('./lan/tls.js')).TlsManager.open(config.lan, config.host, config.dataDir);
  if (tls && config.voice.turn.enabled) Object.assign(config.voice.turn, { certFile: tls.files().cert, keyFile: tls.files().key });
  const app = Fastify({
    // Validators and serializers compiled once per process, at a route's first use (http/schema-cache.ts).
    schemaController: { compilersFactory: schemaCompilers },
    ...(tls ? { serverFactory: httpsServerFactory(tls) } : {}),
    logger: { level: config.logLevel, ...(config.logFormat === 'pretty' ? { transport: { target: 'pino-pretty' } } : {}) },
    bodyLimit: config.bodyLimit,
    // X-Forwarded-For only from the configured proxies (proxy-addr rules); default: nobody.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkError,
    // Discord libraries pin older API versions; they all speak the same shapes here.
    rewriteUrl: (req) => (req.url ?? '/').replace(/^\/api\/v(?:9|1)(?=\/)/, '/api/v10'),
  }).withTypeProvider<TypeBoxTypeProvider>();

  argon2Queue.concurrency = config.argon2Concurrency;
  argon2Queue.maxQueued = config.argon2Queue;
  const database = await openDatabase({ ...config, log: app.log });
  const bus = await openBus(config.redisUrl, config.redisPrefix, app.log);
  const blobs = await openBlobStore(config);
  // channels.last_message_id of guild channels, written behind sends (messages/last-message.ts).
  const lastMessages = new LastMessageWriter(database.db, (err) => app.log.warn({ err }, 'last_message_id write-behind failed; retried'));
  installLastMessageWriter(lastMessages, database.db);
  // Permission inputs per guild in memory, kept current by committed events (guild-state/cache.ts).
  const guildStates = new GuildStateCache(database.db, bus, config.guildCache, 1000, () => lastMessages.flush());
  installGuildStateCache(guildStates, database.db);
  const rateLimits = config.redisUrl ? await createRedisRateLimitStore(config.redisUrl, config.redisPrefix) : createMemoryRateLimitStore();
  // Snowflake bits of its own, so instances sharing the database never mint the same id.
  const idSlot = await claimIdSlot(config, app.log);
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    bus,
    blobs,
    ids: new SnowflakeGenerator(idSlot.workerId, idSlot.processId),
    rateLimits,
    sessions: new SessionGuard(database.db, bus),
    log: app.log,
  };
  app.decorate('ctx', ctx);
  app.decorate('tls', tls);
  app.decorate('plainServer', tls ? installPlainHttp(app, config, tls) : null);
  tls?.startWatching(app.log);
  app.addHook('onClose', async () => {
    ctx.sessions.close();
    guildStates.close();
    await lastMessages.close();
    await rateLimits.close();
    await idSlot.release();
    await bus.close();
    await blobs.close();
    await database.close();
  });

  installDiscordCompat(app);
  installNulGuard(app);
  installNameNormalization(app);
  let web: Awaited<ReturnType<typeof installWebClient>>;
  installSecurityHeaders(app, () => web?.page);
  installCors(app, config.corsOrigins);
  installErrorHandler(app);
  installNotFound(app, () => web?.fallback);
  installResponseDocs(app);
  installAuthHook(app);
  installRateLimits(app, rateLimits, config.rateLimitDisabled);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Retrocast API', version: '10' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.get('/api/openapi.json', { config: { public: true, rateLimit: false }, schema: { hide: true } }, async () =>
    finishOpenApi(app.swagger()),
  );
  await app.register(healthRoutes);
  // WebSocket gateway at /gateway on the same server; it subscribes to the bus and closes first.
  await installGateway(app);
  // Direct uploads to the disk store (HMAC-signed PUT URLs), outside /api.
  await app.register(blobUploadRoutes);
  // Attachment downloads (signed URLs) outside /api; multipart and direct uploads on POST …/messages.
  await app.register(attachmentFileRoutes);
  await installMessageUploads(app);
  // Link previews fetched after a send (SSRF-safe), and their image proxy.
  await installLinkEmbeds(app);
  // br/gzip for responses of the routes registered from here on (its hook must follow the link-preview one).
  await installCompression(app);
  // Avatars, guild icons and custom emoji images (public, long-cached), outside /api.
  await app.register(imageRoutes);
  await app.register(defaultAvatarRoutes);
  // Standard emoji as Twemoji SVGs from our own origin (no colour emoji font needed).
  await app.register(twemojiRoutes);
  // Voice: state store, LiveKit (spawned on listen), bus reactions, the public LiveKit webhook.
  await installVoice(app);
  // `npm run admin` reaches the running server over DATA_DIR/admin.sock.
  installAdminSocket(app);
  // BACKUP_DIR: a backup every BACKUP_EVERY_HOURS, keeping BACKUP_KEEP.
  installScheduledBackups(app);
  // METRICS=on: GET /metrics (Prometheus), latency hook on every request.
  if (config.metrics.enabled) (await import('./metrics/plugin.js')).installMetrics(app);
  // Notification settings in READY; the push worker (Web Push, APNs) fed by the bus.
  await installNotifications(app);
  // LiveKit signalling under our origin (/livekit); /setup, /ca.crt and mDNS for friends on the LAN.
  await installLiveKitProxy(app);
  await installLan(app);

  await app.register(
    async (api) => {
      for (const routes of API_ROUTES) await api.register(routes);
    },
    { prefix: '/api/v10' },
  );
  // Bots and webhooks (README "Bots"): applications, OAuth2 authorize, bot management.
  await app.register(botsRoutes, { prefix: '/api/v10' });
  await app.register(webhooksRoutes, { prefix: '/api/v10' });

  web = await installWebClient(app, findWebDir(config.webDir));
  return app;
}
