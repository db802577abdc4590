import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Errors } from '@retrocast/protocol';
import type { FastifyInstance } from 'fastify';
import type { ProxyServer } from 'http-proxy-3';
import { ApiError } from '../http/errors.js';
import { addUpgradeRoute } from '../http/upgrades.js';
import { voiceOf } from './runtime.js';

export const LIVEKIT_PREFIX = '/livekit';
const isLiveKitPath = (path: string) => path === LIVEKIT_PREFIX || path.startsWith(`${LIVEKIT_PREFIX}/`);

/** /livekit/rtc?… → /rtc?… (LiveKit serves at its root). */
function strip(url: string): string {
  const rest = url.slice(LIVEKIT_PREFIX.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * The spawned LiveKit's signalling under our own origin: `wss://<host>:<https port>/livekit/rtc…`
 * (WebSocket) and GET `/livekit/…` (its validate route and the client's reachability check), so
 * an HTTPS page needs one certificate and one port. Media still flows on LiveKit's own UDP/TCP
 * ports (DTLS-SRTP) or through its TURN. An external LiveKit is not proxied.
 */
export async function installLiveKitProxy(app: FastifyInstance): Promise<void> {
  const { ctx } = app;
  // http-proxy-3 loads at the first proxied request: most servers never spawn a LiveKit, so never need it.
  let proxy: Promise<ProxyServer> | undefined;
  const getProxy = () =>
    (proxy ??= import('http-proxy-3').then(({ createProxyServer }) => {
      const p = createProxyServer({ ws: true, proxyTimeout: 30_000 });
      p.on('error', (err, _req, res) => {
        ctx.log.debug({ err }, 'voice: LiveKit proxy error');
        if (res && 'writeHead' in res && !(res as ServerResponse).headersSent) {
          (res as ServerResponse).writeHead(502, { 'content-type': 'application/json' });
          (res as ServerResponse).end(JSON.stringify({ code: Errors.VOICE_UNAVAILABLE.code, message: Errors.VOICE_UNAVAILABLE.message }));
        } else res?.destroy();
      });
      return p;
    }));
  const target = (): string | null => {
    const lk = voiceOf(ctx).lk;
    return lk && lk.mode === 'spawned' && lk.up() ? lk.serviceUrl : null;
  };

  for (const url of [LIVEKIT_PREFIX, `${LIVEKIT_PREFIX}/*`]) {
    app.get(url, {
      config: { public: true, rateLimit: false },
      schema: { hide: true },
      handler: async (req, reply) => {
        const to = target();
        if (!to) throw new ApiError(Errors.VOICE_UNAVAILABLE);
        const p = await getProxy();
        reply.hijack();
        req.raw.url = strip(req.raw.url ?? LIVEKIT_PREFIX);
        p.web(req.raw, reply.raw, { target: to });
      },
    });
  }

  // Upgraded sockets still count as the HTTP server's connections, so one a client leaves open
  // would hold server.close() (and shutdown) forever: closing cuts them, like the gateway's.
  const upgraded = new Set<Duplex>();
  app.addHook('preClose', async () => {
    for (const socket of upgraded) socket.destroy();
  });

  addUpgradeRoute(app, isLiveKitPath, (req, socket, head) => {
    const to = target();
    if (!to) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    req.url = strip(req.url ?? LIVEKIT_PREFIX);
    // An upgraded socket buffers what the client sends until the proxy pipes it.
    getProxy().then(
      (p) => p.ws(req, socket, head, { target: to }),
      () => socket.destroy(),
    );
  });
}
