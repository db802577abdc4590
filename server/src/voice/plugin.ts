import { Errors } from '@retrocast/protocol';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { installVoiceGateway } from './gateway.js';
import { receiveWebhook } from './livekit.js';
import { startLiveKit } from './livekit-process.js';
import { attachVoice, type VoiceRuntime, voiceOf } from './runtime.js';
import { createMemoryVoiceStore, createRedisVoiceStore } from './store.js';
import { doHandleWebhook, doReconcile, onBusEvent } from './sync.js';

/**
 * Voice wiring, called once from app.ts: the voice state store, LiveKit (started once the HTTP
 * port is known, since its webhooks must reach us), the bus reactions, and the public webhook
 * route POST /api/livekit/webhook. Without LiveKit everything else keeps working.
 */
export async function installVoice(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  const { config } = ctx;
  let markStarted = () => {};
  const rt: VoiceRuntime = {
    lk: null,
    store: config.redisUrl ? await createRedisVoiceStore(config.redisUrl, config.redisPrefix) : createMemoryVoiceStore(),
    started: new Promise<void>((r) => (markStarted = r)),
    timers: new Set(),
  };
  attachVoice(ctx, rt);
  installVoiceGateway();

  const unsubscribe = ctx.bus.subscribe((e) => {
    onBusEvent(ctx, e).catch((err) => ctx.log.warn({ err, t: e.t }, 'voice: reacting to a bus event failed'));
  });

  app.addHook('onListen', async () => {
    // With TLS on, app.server is HTTPS; LiveKit posts webhooks to the plain HTTP port on loopback.
    const addr = (app.plainServer ?? app.server).address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const webhookUrl = config.voice.webhookUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}/api/livekit/webhook`;
    rt.lk = startLiveKit(config.voice, config.dataDir, webhookUrl, ctx.log);
    void (async () => {
      try {
        if (rt.lk && (await rt.lk.ready)) await doReconcile(ctx);
      } catch (err) {
        ctx.log.warn({ err }, 'voice: startup reconciliation with LiveKit failed');
      } finally {
        markStarted();
      }
    })();
    if (!rt.lk) markStarted();
  });

  app.addHook('onClose', async () => {
    unsubscribe();
    for (const t of rt.timers) clearTimeout(t);
    await rt.lk?.close();
    await rt.store.close();
  });

  await app.register(livekitWebhookRoutes);
}

/**
 * POST /api/livekit/webhook   LiveKit's signed room events (public; the signature is the auth)
 *
 * Outside /api/v10: it is LiveKit's protocol, not Discord's. The signature covers the exact
 * bytes, so this plugin keeps the body as a string; its parser applies to this plugin only.
 */
async function livekitWebhookRoutes(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  app.addContentTypeParser('application/webhook+json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/api/livekit/webhook', {
    config: { public: true, rateLimit: false },
    schema: { hide: true },
    handler: async (req, reply) => {
      const lk = voiceOf(ctx).lk;
      if (!lk) throw new ApiError(Errors.VOICE_UNAVAILABLE);
      const event = await receiveWebhook(lk, String(req.body ?? ''), req.headers.authorization).catch(() => {
        throw new ApiError(Errors.UNAUTHORIZED);
      });
      await doHandleWebhook(ctx, event);
      return reply.code(200).send({});
    },
  });
}
