import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { hostPort, isLoopback, lanAddresses, machineLocalName } from './addresses.js';
import type { MdnsAdvertiser } from './mdns.js';
import { httpPortOf, httpsPortOf } from './servers.js';
import { renderSetupPage, SETUP_CSS } from './setup-page.js';
import type { TlsManager } from './tls.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const serverName = () => `Retrocast on ${hostname().split('.')[0]}`;

/** Every URL that reaches this server from the network, the best one for a QR code first. */
export function lanUrls(app: FastifyInstance, mdnsName: string | null): string[] {
  const { config } = app.ctx;
  if (config.publicUrl) return [config.publicUrl.replace(/\/$/, '')];
  const secure = !!app.tls;
  const port = secure ? httpsPortOf(app, config) : httpPortOf(app, config);
  const url = (h: string) => `${secure ? 'https' : 'http'}://${hostPort(h, port)}`;
  const ips = lanAddresses(config.host);
  const v4 = ips.filter((a) => a.family === 'IPv4').map((a) => url(a.address));
  const v6 = ips.filter((a) => a.family === 'IPv6').map((a) => url(a.address));
  // .local names only where the network can reach us (not with HOST on loopback).
  const names = isLoopback(config.host) ? [] : [mdnsName, machineLocalName()].filter((n): n is string => !!n).map(url);
  const all = [...v4, ...names, ...v6];
  return all.length ? [...new Set(all)] : [url('localhost')];
}

/** An Apple configuration profile that installs our CA as a trusted root (iOS, iPadOS, macOS). */
async function mobileconfig(caPem: string, name: string): Promise<string> {
  // QR codes, certificates and mDNS load when first used: with TLS/mDNS off they never are.
  const x509 = await import('./x509.js');
  const der = Buffer.from(x509.PemConverter.decode(caPem)[0]);
  // Stable UUIDs per CA, so downloading again replaces the profile instead of adding one.
  const uuid = (salt: string) => {
    const h = createHash('sha256').update(salt).update(der).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
  };
  const xml = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>PayloadCertificateFileName</key><string>retrocast-ca.crt</string>
      <key>PayloadContent</key><data>${der.toString('base64')}</data>
      <key>PayloadDescription</key><string>Lets this device trust the Retrocast server on your network.</string>
      <key>PayloadDisplayName</key><string>${xml(name)}</string>
      <key>PayloadIdentifier</key><string>local.retrocast.ca.${uuid('cert')}</string>
      <key>PayloadType</key><string>com.apple.security.root</string>
      <key>PayloadUUID</key><string>${uuid('cert')}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>${xml(serverName())}</string>
  <key>PayloadIdentifier</key><string>local.retrocast.profile.${uuid('profile')}</string>
  <key>PayloadRemovalDisallowed</key><false/>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${uuid('profile')}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

/**
 * "Join from another device": GET /setup (addresses, QR code, trust steps), /setup.css, /ca.crt
 * (our CA's certificate; its key is never served) and /ca.mobileconfig; all public and reachable
 * over plain HTTP (lan/servers.ts). Then mDNS once we listen, withdrawn on close.
 */
export async function installLan(app: FastifyInstance): Promise<void> {
  const { config } = app.ctx;
  const tls = app.tls;
  let mdns: MdnsAdvertiser | null = null;
  const route = { config: { public: true, rateLimit: false }, schema: { hide: true } } as const;

  app.get('/setup', route, async (_req, reply) => {
    const urls = lanUrls(app, mdns?.hostname() ?? (config.lan.mdns ? `${config.lan.mdnsName}.local` : null));
    const primaryUrl = urls[0];
    const QRCode = (await import('qrcode')).default;
    const qrSvg = await QRCode.toString(primaryUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    const ca = tls?.ca ? { fingerprint: tls.caFingerprint, name: tls.ca.cert.subjectName.getField('CN')[0] ?? 'Retrocast local CA' } : null;
    const html = renderSetupPage({ serverName: serverName(), primaryUrl, urls, qrSvg, ca, tlsOff: !tls });
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
  });
  app.get('/setup.css', route, async (_req, reply) =>
    reply.header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(SETUP_CSS),
  );

  const caOr404 = (reply: { code(n: number): { send(b: unknown): unknown } }) =>
    reply.code(404).send({ code: 0, message: 'This server has no local certificate authority (TLS_CERT or TLS=off)' });
  app.get('/ca.crt', route, async (_req, reply) => {
    if (!tls?.ca) return caOr404(reply);
    return reply
      .header('content-disposition', 'attachment; filename="retrocast-ca.crt"')
      .type('application/x-x509-ca-cert')
      .send(tls.ca.certPem);
  });
  app.get('/ca.mobileconfig', route, async (_req, reply) => {
    if (!tls?.ca) return caOr404(reply);
    const name = tls.ca.cert.subjectName.getField('CN')[0] ?? 'Retrocast local CA';
    return reply
      .header('content-disposition', 'attachment; filename="retrocast.mobileconfig"')
      .type('application/x-apple-aspen-config')
      .send(await mobileconfig(tls.ca.certPem, name));
  });

  app.addHook('onListen', async () => {
    if (!config.lan.mdns || mdns) return;
    try {
      const { startMdns } = await import('./mdns.js');
      mdns = await startMdns({
        host: config.host,
        name: config.lan.mdnsName,
        httpsPort: tls ? httpsPortOf(app, config) : httpPortOf(app, config),
        instanceName: serverName(),
        txt: {
          version,
          https_port: String(tls ? httpsPortOf(app, config) : ''),
          ca_sha256: tls?.caFingerprint.replace(/:/g, '') ?? '',
          name: serverName(),
        },
        log: app.log,
        onRename: (dns) => void tls?.addName(dns).catch((err) => app.log.warn({ err }, 'tls: re-issue for the new name failed')),
      });
    } catch (err) {
      app.log.warn({ err }, 'mdns: could not advertise; use the address shown by /setup');
    }
  });
  app.addHook('preClose', async () => {
    await mdns?.stop();
  });
}

export type { TlsManager };
