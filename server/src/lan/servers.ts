import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { hostPort, isLoopback } from './addresses.js';
import type { TlsManager } from './tls.js';

/** Served over plain HTTP to anyone: what a friend needs before they trust our CA. */
const PLAIN_PATHS = new Set(['/setup', '/setup/', '/setup.css', '/ca.crt', '/ca.mobileconfig', '/healthz']);

export const isEncrypted = (req: IncomingMessage) => !!(req.socket as TLSSocket).encrypted;

/** This machine talking to itself by a loopback name (`http://localhost:8080`, LiveKit's webhooks). */
export function isLocalRequest(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return isLoopback(req.socket.remoteAddress ?? '') && isLoopback(host);
}

/** Fastify's serverFactory for HTTPS with our (swappable) certificate. */
export function httpsServerFactory(tls: TlsManager) {
  return (handler: RequestListener) => createHttpsServer(tls.material(), handler) as unknown as Server;
}

/**
 * With TLS on, the Fastify server is the HTTPS one (HTTPS_PORT) and a second, plain HTTP server on
 * PORT feeds the same routes: for this machine itself (loopback peers: `http://localhost:8080`,
 * LiveKit's webhooks) and for /setup and the CA download. Any other plain request from the network
 * (or this machine by a network name) is redirected to HTTPS. WebSocket upgrades reach the same handlers through app.server.
 */
export function installPlainHttp(app: FastifyInstance, config: Config, tls: TlsManager): Server {
  const plain = createServer({ requestTimeout: 60_000 }, (req, res) => app.routing(req, res));
  plain.on('upgrade', (req, socket, head) => {
    // WebSockets over plain HTTP only for this machine; the network uses wss:// on HTTPS_PORT.
    if (isLocalRequest(req)) app.server.emit('upgrade', req, socket, head);
    else socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
  });
  tls.onChange((m) => (app.server as unknown as { setSecureContext(o: object): void }).setSecureContext(m));
  app.addHook('onRequest', async (req, reply) => {
    if (isEncrypted(req.raw) || isLocalRequest(req.raw)) return;
    const path = req.raw.url?.split('?')[0] ?? '/';
    if (PLAIN_PATHS.has(path)) return;
    const host = req.hostname.replace(/^\[|\]$/g, '');
    return reply.redirect(`https://${hostPort(host, httpsPortOf(app, config))}${req.raw.url ?? '/'}`, 308);
  });
  app.addHook('onClose', async () => {
    tls.stop();
    plain.closeAllConnections();
    await new Promise<void>((r) => plain.close(() => r()));
  });
  return plain;
}

/** The port HTTPS actually listens on (HTTPS_PORT=0 in tests). */
export function httpsPortOf(app: FastifyInstance, config: Config): number {
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : config.lan.httpsPort;
}

/** The plain HTTP port (the only port when TLS is off). */
export function httpPortOf(app: FastifyInstance, config: Config): number {
  const srv = app.plainServer ?? app.server;
  const addr = srv.address();
  return typeof addr === 'object' && addr ? addr.port : config.port;
}

/**
 * Listens on everything: plain HTTP on `port` first (LiveKit, spawned when HTTPS starts listening,
 * posts its webhooks there), then HTTPS on `httpsPort`. Without TLS, only HTTP on `port`.
 */
export async function listenAll(app: FastifyInstance, host: string, port: number, httpsPort: number): Promise<void> {
  const plain = app.plainServer;
  if (!plain) {
    await app.listen({ port, host });
    return;
  }
  await new Promise<void>((resolve, reject) => {
    plain.once('error', reject);
    plain.listen(port, host, () => {
      plain.off('error', reject);
      resolve();
    });
  });
  await app.listen({ port: httpsPort, host });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The plain HTTP server beside HTTPS; null when TLS is off (app.server is then plain HTTP). */
    plainServer: Server | null;
    tls: TlsManager | null;
  }
}
