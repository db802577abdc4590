import type { FastifyInstance } from 'fastify';
import { hostPort, isLoopback } from './addresses.js';
import { lanUrls } from './plugin.js';
import { httpPortOf, httpsPortOf } from './servers.js';

/** What `npm start` prints: where to open Retrocast here, on the network, and the /setup page. */
export function startupLines(app: FastifyInstance): { urls: Record<string, string>; text: string } {
  const { config } = app.ctx;
  const httpPort = httpPortOf(app, config);
  const local = `http://${hostPort(config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host, httpPort)}`;
  const urls: Record<string, string> = { local };
  const network = lanUrls(app, config.lan.mdns ? `${config.lan.mdnsName}.local` : null);
  if (app.tls) {
    urls.https = `https://${hostPort('localhost', httpsPortOf(app, config))}`;
    if (!isLoopback(config.host)) {
      urls.network = network[0];
      const dotLocal = network.find((u) => u.includes(`//${config.lan.mdnsName}.local`) || u.includes(`//${config.lan.mdnsName}-`));
      if (dotLocal && config.lan.mdns) urls.mdns = dotLocal;
    }
  }
  urls.setup = `${local}/setup`;
  const rows = [
    ['On this computer', urls.local],
    ['HTTPS', urls.https],
    ['On your network', urls.network],
    ['By name (Bonjour)', urls.mdns],
    ['Invite friends', urls.setup],
  ].filter((r): r is [string, string] => !!r[1]);
  const text = ['', '  Retrocast is running', ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(20)}${v}`), ''].join('\n');
  return { urls, text };
}
