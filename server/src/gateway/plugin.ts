import type { IncomingMessage } from 'node:http';
import { GatewayCloseCodes } from '@retrocast/protocol';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { addUpgradeRoute } from '../http/upgrades.js';
import { Connection } from './connection.js';
import { flushOwn } from './frame-writer.js';
import { Gateway } from './gateway.js';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
  }
}

/** Gateway URL for clients: PUBLIC_URL if set, else the host the request came to. */
export function gatewayUrl(config: Config, req: { headers: IncomingMessage['headers']; protocol?: string; socket?: unknown }): string {
  if (config.publicUrl) return `${config.publicUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/gateway`;
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted;
  const proto = (req.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0] ?? req.protocol ?? (encrypted ? 'https' : 'http');
  return `${proto === 'https' ? 'wss' : 'ws'}://${req.headers.host ?? 'localhost'}/gateway`;
}

/**
 * The WebSocket gateway on the app's own HTTP server at /gateway (and /gateway/). Query: `v` 9 or
 * 10, `encoding=json`, optional `compress=zlib-stream`. Closing the app tells every client to
 * RECONNECT and leaves resumable sessions behind (in Redis when configured).
 */
export async function installGateway(app: FastifyInstance) {
  const gateway = await Gateway.create(app.ctx);
  app.decorate('gateway', gateway);
  // Services (e.g. @here) read presence through the context, without depending on the gateway.
  app.ctx.presence = gateway.presence;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  addUpgradeRoute(
    app,
    (path) => path === '/gateway' || path === '/gateway/',
    (req, socket, head, url) => {
      wss.handleUpgrade(req, socket, head, (ws) => {
        const v = url.searchParams.get('v');
        const encoding = url.searchParams.get('encoding');
        if (v !== null && v !== '10' && v !== '9') return ws.close(GatewayCloseCodes.INVALID_API_VERSION, 'Invalid API version.');
        if (encoding !== null && encoding !== 'json') return ws.close(GatewayCloseCodes.DECODE_ERROR, 'Only encoding=json is supported.');
        new Connection(gateway, ws, gatewayUrl(app.ctx.config, req), url.searchParams.get('compress') === 'zlib-stream', socket);
      });
    },
  );
  // The caller's own sessions get the dispatches its request caused before its response; other
  // sessions' frames wait for the end of the turn (frame-writer.ts flushOwn).
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (req.user) flushOwn(req.user.id);
    done(null, payload);
  });
  app.addHook('preClose', async () => {
    await gateway.stop();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  });
}
