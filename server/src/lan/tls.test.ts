import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createCa, issueServerCert, subjectNames } from './certs.js';
import { loadLanConfig } from './config.js';
import { TlsManager } from './tls.js';
import * as x509 from './x509.js';

/** The certificate a TLS server presents to a client that trusts `ca` and asks for `servername`. */
function peerCert(url: string, ca: string, servername = 'localhost'): Promise<PeerCertificate> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca, servername }, () => {
      const cert = socket.getPeerCertificate(true);
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

/** A plain HTTP GET with a chosen Host header (fetch does not let a caller set Host). */
function getAs(url: string, host: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    }).on('error', reject);
  });
}

const sans = (c: PeerCertificate) => (c.subjectaltname ?? '').split(', ');
const lanConfig = (env: Record<string, string> = {}) => loadLanConfig({ TLS: 'on', ...env });

describe('local CA and server certificate', () => {
  it('covers retrocast.local, <hostname>.local, localhost, loopback and every LAN address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-tls-'));
    const tls = await TlsManager.open(lanConfig(), '0.0.0.0', dir);
    const names = subjectNames(tls.server.cert);
    expect(names.dns).toEqual(expect.arrayContaining(['retrocast.local', 'localhost', `${hostname().split('.')[0].toLowerCase()}.local`]));
    const v4 = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address);
    const norm = names.ips.map((ip) => ip.replace(/^0:0:0:0:0:0:0:1$/, '::1'));
    expect(norm).toEqual(expect.arrayContaining(['127.0.0.1', '::1', ...v4]));
    // Signed by our CA, for servers only, and Apple's 398-day limit respected.
    expect(await tls.server.cert.verify({ publicKey: await tls.ca?.cert.publicKey.export() })).toBe(true);
    expect(tls.server.cert.issuer).toBe(tls.ca?.cert.subject);
    const eku = tls.server.cert.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toContain(x509.ExtendedKeyUsage.serverAuth);
    expect(tls.server.cert.notAfter.getTime() - tls.server.cert.notBefore.getTime()).toBeLessThanOrEqual(398 * 86400_000);
    expect(tls.ca?.cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    // The CA key is private to this machine.
    expect(statSync(join(dir, 'tls', 'ca.key')).mode & 0o077).toBe(0);
  });

  it('re-issues when the addresses change or expiry nears, keeping the same CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-tls-'));
    let addresses = ['192.168.1.20'];
    const tls = await TlsManager.open(lanConfig({ MDNS_NAME: 'den' }), '0.0.0.0', dir, () => addresses);
    const first = tls.server.cert;
    const caPem = tls.ca?.certPem;
    expect(subjectNames(first).ips).toContain('192.168.1.20');
    expect(subjectNames(first).dns).toContain('den.local');
    expect(await tls.check()).toBe(false);

    addresses = ['10.0.0.5'];
    expect(await tls.check()).toBe(true);
    const second = tls.server.cert;
    expect(subjectNames(second).ips).toContain('10.0.0.5');
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect(tls.ca?.certPem).toBe(caPem);
    expect(await second.verify({ publicKey: await tls.ca?.cert.publicKey.export() })).toBe(true);

    // A restart on the same data dir reuses both the CA and the still-valid certificate.
    const again = await TlsManager.open(lanConfig({ MDNS_NAME: 'den' }), '0.0.0.0', dir, () => addresses);
    expect(again.ca?.certPem).toBe(caPem);
    expect(again.server.cert.serialNumber).toBe(second.serialNumber);

    // 20 days before expiry: a new certificate, same CA.
    const soon = new Date(second.notAfter.getTime() - 20 * 86400_000);
    expect(await again.check(soon)).toBe(true);
    expect(again.server.cert.notAfter.getTime()).toBeGreaterThan(second.notAfter.getTime());
    expect(again.ca?.certPem).toBe(caPem);
  });
});

describe('HTTPS server with the local CA', () => {
  let server: TestServer;
  let ca: string;
  let dispatcher: Agent;

  beforeAll(async () => {
    server = await startServer({ env: { TLS: 'on', HTTPS_PORT: '0' } });
    ca = readFileSync(join(server.dataDir, 'tls', 'ca.crt'), 'utf8');
    dispatcher = new Agent({ connect: { ca } });
  });
  afterAll(async () => {
    await dispatcher?.close();
    await server?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual', dispatcher } as RequestInit);

  it('serves the API over HTTPS with a certificate chain to our CA', async () => {
    const res = await get(`${server.httpsUrl}/healthz`);
    expect(res.status).toBe(200);
    const cert = await peerCert(server.httpsUrl as string, ca, 'retrocast.local');
    expect(sans(cert)).toEqual(expect.arrayContaining(['DNS:retrocast.local', 'DNS:localhost', 'IP Address:127.0.0.1']));
    expect(cert.issuerCertificate?.subject?.CN).toMatch(/^Retrocast local CA/);
  });

  it('keeps plain HTTP for this machine, /setup and /ca.crt; redirects the rest to HTTPS', async () => {
    const local = await get(`${server.url}/healthz`);
    expect(local.status).toBe(200);
    const httpsPort = new URL(server.httpsUrl as string).port;
    // This machine by its network address is "the network" too (such a page could not use the mic).
    const lan = `192.168.1.20:${new URL(server.url).port}`;
    const redirected = await getAs(`${server.url}/channels/@me?x=1`, lan);
    expect(redirected.status).toBe(308);
    expect(redirected.location).toBe(`https://192.168.1.20:${httpsPort}/channels/@me?x=1`);
    expect((await getAs(`${server.url}/api/v10/gateway`, lan)).status).toBe(308);
    expect((await getAs(`${server.url}/healthz`, `localhost:${new URL(server.url).port}`)).status).toBe(200);
    for (const path of ['/setup', '/ca.crt', '/ca.mobileconfig', '/setup.css']) {
      expect((await getAs(`${server.url}${path}`, lan)).status, path).toBe(200);
    }
    expect((await getAs(`${server.url}/ca.crt`, lan)).body).toBe(ca);
  });

  it('never serves the CA private key', async () => {
    const key = readFileSync(join(server.dataDir, 'tls', 'ca.key'), 'utf8');
    const body = key.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(body.length).toBeGreaterThan(40);
    const paths = [
      '/ca.crt',
      '/ca.mobileconfig',
      '/setup',
      '/ca.key',
      '/tls/ca.key',
      '/data/tls/ca.key',
      '/ca.pem',
      '/..%2Ftls%2Fca.key',
      '/api/v10/ca.key',
    ];
    for (const base of [server.url, server.httpsUrl as string]) {
      for (const path of paths) {
        const text = await (await get(`${base}${path}`)).text();
        expect(text, `${base}${path}`).not.toContain(body.slice(0, 40));
        expect(text).not.toContain('PRIVATE KEY');
      }
    }
  });

  it('hands out wss:// gateway URLs on HTTPS and the gateway answers there', async () => {
    const res = await get(`${server.httpsUrl}/api/v10/gateway`);
    const { url } = (await res.json()) as { url: string };
    expect(url).toBe(`wss://${new URL(server.httpsUrl as string).host}/gateway`);
    const ws = new WebSocket(`${url}?v=10&encoding=json`, { ca });
    const hello = await new Promise<{ op: number }>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d))));
      ws.once('error', reject);
    });
    ws.close();
    expect(hello.op).toBe(10);
  });

  it('/setup shows the addresses, a QR code, the fingerprint and trust steps', async () => {
    const html = await (await get(`${server.httpsUrl}/setup`)).text();
    expect(html).toContain('<svg');
    expect(html).toContain('/ca.crt');
    expect(html).toContain('/ca.mobileconfig');
    for (const os of ['iPhone and iPad', 'Mac', 'Windows', 'Android', 'Linux and Firefox']) expect(html).toContain(os);
    // On loopback only, the page offers no network name that could not reach us.
    expect(html).toContain(`https://localhost:${new URL(server.httpsUrl as string).port}`);
    expect(html).not.toMatch(/https:\/\/[a-z0-9-]+\.local:/);
    const fp = new x509.X509Certificate(ca);
    const hex = Buffer.from(await fp.getThumbprint('SHA-256'))
      .toString('hex')
      .toUpperCase();
    expect(html.replace(/:/g, '')).toContain(hex);
    const profile = await (await get(`${server.url}/ca.mobileconfig`)).text();
    expect(profile).toContain('com.apple.security.root');
    expect(profile).toContain(Buffer.from(x509.PemConverter.decode(ca)[0]).toString('base64'));
  });

  it('swaps the served certificate after a re-issue without a restart', async () => {
    await server.app.tls?.addName('retrocast-2.local');
    const cert = await peerCert(server.httpsUrl as string, ca, 'retrocast-2.local');
    expect(sans(cert)).toContain('DNS:retrocast-2.local');
  });
});

describe('TLS_CERT / TLS_KEY and TLS=off', () => {
  it('serves the operator certificate and no CA of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-tls-own-'));
    const own = await createCa('Operator test CA');
    const leaf = await issueServerCert(own, { dns: ['chat.example.test', 'localhost'], ips: ['127.0.0.1'] });
    writeFileSync(join(dir, 'cert.pem'), leaf.certPem);
    writeFileSync(join(dir, 'key.pem'), leaf.keyPem);
    const server = await startServer({ env: { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), HTTPS_PORT: '0' } });
    try {
      const cert = await peerCert(server.httpsUrl as string, own.certPem, 'chat.example.test');
      expect(sans(cert)).toContain('DNS:chat.example.test');
      expect(existsSync(join(server.dataDir, 'tls', 'ca.key'))).toBe(false);
      expect((await api(server, 'GET', '/ca.crt')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('TLS=off: plain HTTP only, X-Forwarded-Proto from the proxy decides the scheme', async () => {
    const server = await startServer({ env: { TLS: 'off' } });
    try {
      expect(server.httpsUrl).toBeUndefined();
      expect(server.app.plainServer).toBeNull();
      expect(existsSync(join(server.dataDir, 'tls'))).toBe(false);
      const direct = await api(server, 'GET', '/gateway');
      expect(direct.body.url).toMatch(/^ws:\/\//);
      const proxied = await api(server, 'GET', '/gateway', { headers: { 'x-forwarded-proto': 'https' } });
      expect(proxied.body.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/gateway$/);
      // No redirect behind a proxy: it terminates TLS and talks HTTP to us, under any Host.
      expect((await getAs(`${server.url}/healthz`, '192.168.1.20')).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
