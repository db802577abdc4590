import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createGuild, type TestGuild } from '../test/messages-fixtures.js';

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
