/**
 * A server with its own certificate authority (what the LAN setup gives): the picker shows the CA
 * fingerprint and asks before trusting it; after that the app loads the server over HTTPS, and a
 * server whose chain does not contain the confirmed CA is refused. The TLS end is a small HTTPS
 * proxy in front of the real server, with a CA and certificate made by `openssl`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttps, type Server } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../e2e/lib/server';
import { artifacts, launchApp, type RunningApp } from './app';
import type { Driver } from './webdriver';
import { screenshot } from './x11';

interface Pki {
  ca: string;
  cert: string;
  key: string;
  /** SHA-256 of the CA certificate (DER), lower-case hex. */
  fingerprint: string;
}

function makePki(dir: string): Pki {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Retrocast Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '2',
    '-extfile',
    'ext',
  );
  const fp = ssl('x509', '-in', 'ca.pem', '-noout', '-fingerprint', '-sha256').split('=')[1].trim();
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.pem'), cert: read('leaf.pem'), key: read('leaf.key'), fingerprint: fp.replaceAll(':', '').toLowerCase() };
}

/** HTTPS (leaf + CA in the chain) in front of `target`, WebSocket upgrades included. */
async function tlsProxy(target: string, pki: Pki): Promise<{ url: string; server: Server }> {
  const t = new URL(target);
  const server = createHttps({ cert: pki.cert + pki.ca, key: pki.key }, (req, res) => {
    const up = httpRequest({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req, socket, head) => {
    const up = connect(Number(t.port), t.hostname, () => {
      let head1 = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) head1 += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(`${head1}\r\n`);
      up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe('a server with its own CA', () => {
  let dir: string;
  let pki: Pki;
  let backend: TestServer;
  let good: { url: string; server: Server };
  let wrong: { url: string; server: Server };
  let app: RunningApp;
  let driver: Driver;

  const clickConnect = (name: string) =>
    driver.script(
      `const li = [...document.querySelectorAll('#saved li')].find((li) => li.textContent.includes(arguments[0]));
       li.querySelector('button:last-of-type').click();
       return true;`,
      [name],
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rc-desktop-pki-'));
    pki = makePki(dir);
    backend = await startServer();
    good = await tlsProxy(backend.url, pki);
    wrong = await tlsProxy(backend.url, pki);
    // A returning user: one server announced by mDNS with its CA (not trusted yet), one whose
    // recorded fingerprint is not the CA the server really uses.
    app = await launchApp({
      servers: [
        { url: good.url, name: 'Own CA box', ca_fingerprint: pki.fingerprint, trusted_ca: false, last_used: 2 },
        { url: wrong.url, name: 'Pinned elsewhere', ca_fingerprint: 'f'.repeat(64), trusted_ca: true, last_used: 1 },
      ],
    });
    driver = app.driver;
  });

  afterAll(async () => {
    await app?.stop();
    good?.server.close();
    wrong?.server.close();
    await backend?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a server whose chain lacks the confirmed CA', async () => {
    await driver.find('#saved li');
    await clickConnect('Pinned elsewhere');
    // The shell refuses the certificate and comes back to the picker, which says why.
    const error = await driver.until('the picker with the reason', async () => {
      if (!(await driver.url()).startsWith('tauri://localhost')) return null;
      return driver.script<string>('const e = document.getElementById("error"); return e && !e.hidden ? e.textContent : null');
    }, 90_000); // the refused handshake and the way back to the picker are slow on a loaded machine
    expect(error).toContain(`Could not open ${wrong.url} securely`);
    expect(error).toContain('did not present the certificate authority you confirmed');
    writeFileSync(join(artifacts, 'desktop-trust-refused.png'), await driver.screenshot());
  });

  it('shows the CA fingerprint, asks before trusting, then loads the server over HTTPS', async () => {
    await driver.find('#saved li');
    expect(await driver.script('return document.getElementById("saved").textContent')).toContain('Not trusted yet');
    await clickConnect('Own CA box');
    await driver.until('the trust dialog', () => driver.script('return document.getElementById("trust").open'));
    const shown = await driver.script<string>('return document.getElementById("trust-fp").textContent');
    expect(shown).toBe(pki.fingerprint.toUpperCase().match(/.{2}/g)?.join(':'));
    writeFileSync(join(artifacts, 'desktop-trust.png'), await driver.screenshot());
    await screenshot(app.display.name, join(artifacts, 'desktop-trust-screen.png'));
    await driver.click('#trust-ok');
    await driver.until('the server over HTTPS', async () => (await driver.url()).startsWith(good.url));
    // The login page came from the server through TLS that only the confirmed CA made acceptable.
    // Known race (see the report): the first load after trusting can end on WebKit's "Operation
    // was cancelled" page although the certificate was accepted; opening the server again works.
    await driver.find('input[name=username]', 15_000).catch(async () => {
      await screenshot(app.display.name, join(artifacts, 'desktop-trust-first-load.png'));
      await driver.cmd('POST', '/url', { url: `${good.url}/` });
      await driver.find('input[name=username]', 30_000);
    });
    const saved = JSON.parse(readFileSync(join(app.configDir, 'settings.json'), 'utf8'));
    expect(saved.servers.find((s: { url: string }) => s.url === good.url)).toMatchObject({
      trusted_ca: true,
      ca_fingerprint: pki.fingerprint,
    });
    expect(saved.current).toBe(good.url);
  });
});
