import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

const routes = new WeakMap<FastifyInstance, { match: (path: string) => boolean; handle: UpgradeHandler }[]>();

/**
 * WebSocket upgrades on the app's server, routed by path: the gateway at /gateway, the LiveKit
 * proxy under /livekit. One listener per server, so an upgrade no route claims is refused once.
 */
export function addUpgradeRoute(app: FastifyInstance, match: (path: string) => boolean, handle: UpgradeHandler): void {
  let list = routes.get(app);
  if (!list) {
    const own: { match: (path: string) => boolean; handle: UpgradeHandler }[] = [];
    routes.set(app, own);
    list = own;
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const route = own.find((r) => r.match(url.pathname));
      if (route) route.handle(req, socket, head, url);
      else socket.destroy();
    });
  }
  list.push({ match, handle });
}
