import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createGuild, type TestGuild } from '../test/messages-fixtures.js';
import { extraConnectOrigins } from './csp.js';

describe('security headers', () => {
  let server: TestServer;
  let g: TestGuild;
  beforeAll(async () => {
    server = await startServer();
    g = await createGuild(server);
  });
  afterAll(() => server?.close());

  const common = (h: Headers) => {
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('content-security-policy')).toMatch(/frame-ancestors 'none'|sandbox/);
  };

  it('API answers with tokens are never cached', async () => {
    const res = await api(server, 'POST', '/auth/login', { body: { username: g.owner.username, password: g.owner.password } });
    expect(res.status).toBe(200);
    common(res.headers);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('on errors too', async () => {
    const res = await api(server, 'GET', '/guilds/1', { token: g.owner.token });
    expect(res.status).toBe(404);
    common(res.headers);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('on the web client page and on files, which keep their own policies', async () => {
    const page = await fetch(`${server.url}/`);
    common(page.headers);
    const form = new FormData();
    form.append('files[0]', new Blob([Buffer.from('<script>alert(1)</script>')]), 'x.html');
    const sent = await fetch(`${server.url}/api/v10/channels/${g.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.owner.token}` },
      body: form,
    });
    const file = await fetch(new URL(((await sent.json()) as any).attachments[0].url, server.url));
    common(file.headers);
    expect(file.headers.get('content-security-policy')).toMatch(/sandbox/);
    expect(file.headers.get('cache-control')).toMatch(/private/);
  });
});

describe('Content-Security-Policy of the web client', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  const directives = (policy: string) =>
    new Map(
      policy.split(';').map((d) => {
        const [k, ...v] = d.trim().split(/\s+/);
        return [k, v] as [string, string[]];
      }),
    );

  it('allows inline script only by the hash of the page’s own, on every client route', async () => {
    for (const path of ['/', '/channels/@me', '/login', '/index.html']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      const policy = res.headers.get('content-security-policy') ?? '';
      const d = directives(policy);
      // One policy, in the header: the build's <meta> is taken out of the page.
      expect(html).not.toMatch(/http-equiv="content-security-policy"/i);
      const script = d.get('script-src') ?? [];
      expect(script[0]).toBe("'self'");
      expect(script).not.toContain("'unsafe-inline'");
      expect(script).not.toContain("'unsafe-eval'");
      const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
      expect(inline.length).toBeGreaterThan(0);
      for (const code of inline) expect(script).toContain(`'sha256-${createHash('sha256').update(code).digest('base64')}'`);
      expect(d.get('object-src')).toEqual(["'none'"]);
      expect(d.get('base-uri')).toEqual(["'self'"]);
      expect(d.get('frame-ancestors')).toEqual(["'none'"]);
      expect(d.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'data:', 'blob:']));
      const host = new URL(server.url).host;
      expect(d.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    }
  });

  it('HEAD of a client route answers like GET, policy included', async () => {
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
  });

  it('API answers and static assets keep the plain policy', async () => {
    const api = await fetch(`${server.url}/api/v10/gateway`);
    expect(api.headers.get('content-security-policy')).not.toMatch(/script-src/);
    const icon = await fetch(`${server.url}/icon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-security-policy')).not.toMatch(/script-src/);
  });

  it('connect-src names the LiveKit and S3 origins the client is sent to', () => {
    const config = loadConfig({
      LIVEKIT_PUBLIC_URL: 'wss://voice.example.org/rtc',
      S3_BUCKET: 'files',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
      S3_ENDPOINT: 'https://minio.example.org:9000',
    });
    expect(extraConnectOrigins(config)).toEqual(['wss://voice.example.org', 'https://minio.example.org:9000']);
    const aws = loadConfig({ S3_BUCKET: 'files', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_REGION: 'eu-west-1' });
    expect(extraConnectOrigins(aws)).toEqual(['https://s3.eu-west-1.amazonaws.com']);
    expect(extraConnectOrigins(loadConfig({}))).toEqual([]);
  });
});

describe('CORS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { CORS_ORIGINS: 'https://chat.example.org' } });
  });
  afterAll(() => server?.close());
  const preflight = (origin: string) =>
    fetch(`${server.url}/api/v10/users/@me`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });

  it('a listed origin gets its preflight and its answers', async () => {
    const pre = await preflight('https://chat.example.org');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://chat.example.org');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const res = await fetch(`${server.url}/api/v10/gateway`, { headers: { origin: 'https://chat.example.org' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://chat.example.org');
  });

  it('any other origin gets no CORS headers (the browser refuses), and clients without Origin are unaffected', async () => {
    const pre = await preflight('https://evil.example');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${server.url}/api/v10/gateway`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const bot = await fetch(`${server.url}/api/v10/gateway`);
    expect(bot.status).toBe(200);
    expect(bot.headers.get('access-control-allow-origin')).toBeNull();
  });
});
