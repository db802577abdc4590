import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser } from '../test/gateway.js';
import { type TestServer, api, startServer } from '../test/helper.js';
import { createGuild, recordEvents, send } from '../test/messages-fixtures.js';

/**
 * Fixture sites on loopback only (127.0.0.1 and ::1). Every request they get is recorded, so
 * "refused" means: no request arrived at all.
 */
interface Fixture {
  server: Server;
  port: number;
  hits: string[];
}

async function fixture(host: string, routes: (f: Fixture) => Record<string, (res: import('node:http').ServerResponse) => void>): Promise<Fixture> {
  const f = { hits: [] as string[] } as Fixture;
  f.server = createServer((req, res) => {
    f.hits.push(req.url ?? '');
    const handler = routes(f)[req.url ?? ''];
    if (handler) handler(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => f.server.listen(0, host, resolve));
  f.port = (f.server.address() as AddressInfo).port;
  return f;
}

const page = (title: string, image?: string) =>
  `<!doctype html><html><head><title>plain title</title><meta property="og:title" content="${title}"><meta property="og:description" content="A page &amp; its card">` +
  `<meta property="og:site_name" content="Fixture Site">${image ? `<meta property="og:image" content="${image}">` : ''}</head><body>hi</body></html>`;

describe('link embeds', () => {
  let v4: Fixture;
  let v6: Fixture;
  let png: Buffer;
  let big: Buffer;
  beforeAll(async () => {
    png = await sharp({ create: { width: 20, height: 10, channels: 3, background: 'teal' } }).png().toBuffer();
    // A photo-sized preview image: noise, so it does not compress to nothing.
    const noise = Buffer.alloc(1200 * 800 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
    big = await sharp(noise, { raw: { width: 1200, height: 800, channels: 3 } }).png().toBuffer();
    v6 = await fixture('::1', () => ({ '/page': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('IPv6 page')) }));
    v4 = await fixture('127.0.0.1', (f) => ({
      '/page': (res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Fixture Title', `http://127.0.0.1:${f.port}/img.png`)),
      '/page2': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page('Page Two')),
      '/img.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png),
      '/big.png': (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(big),
      '/to-v6': (res) => res.writeHead(302, { location: `http://[::1]:${v6.port}/page` }).end(),
      '/to-localhost': (res) => res.writeHead(301, { location: `http://localhost:${v6.port}/page` }).end(),
      '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
      '/video': (res) =>
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><link rel="alternate" type="application/json+oembed" href="/oembed.json"></head><body>player</body></html>'),
      '/oembed.json': (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'video', title: 'From oEmbed', provider_name: 'Fixture TV', thumbnail_url: `http://127.0.0.1:${f.port}/img.png` })),
    }));
  });
  afterAll(async () => {
    for (const f of [v4, v6]) await new Promise((r) => f?.server.close(r));
  });
  const reset = () => {
    v4.hits.length = 0;
    v6.hits.length = 0;
  };

  describe('default config', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
    });
    afterAll(() => server?.close());

    it('never contacts loopback: 127.0.0.1, [::1], localhost, decimal/octal/hex forms, redirectors', async () => {
      const g = await createGuild(server);
      const rec = recordEvents(server);
      reset();
      const links = [
        `http://127.0.0.1:${v4.port}/page`,
        `http://[::1]:${v6.port}/page`,
        `http://localhost:${v4.port}/page`,
        `http://2130706433:${v4.port}/page`,
        `http://0177.0.0.1:${v4.port}/page`,
        `http://0x7f000001:${v4.port}/to-v6`,
        `http://[::ffff:127.0.0.1]:${v4.port}/to-localhost`,
      ];
      const sent = [];
      for (let i = 0; i < links.length; i += 4) sent.push(await send(server, g.owner, g.channelId, { content: links.slice(i, i + 4).join(' ') }));
      for (const s of sent) expect(s.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500));
      expect(v4.hits).toEqual([]);
      expect(v6.hits).toEqual([]);
      expect(rec.of('MESSAGE_UPDATE')).toEqual([]);
      const stored = await api(server, 'GET', `/channels/${g.channelId}/messages/${sent[0].body.id}`, { token: g.owner.token });
      expect(stored.body.embeds).toEqual([]);
      rec.stop();
    });
  });

  describe('EMBED_ALLOW_PRIVATE=127.0.0.1', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: { RATE_LIMIT_DISABLED: '1', EMBED_ALLOW_PRIVATE: '127.0.0.1' } });
    });
    afterAll(() => server?.close());

    it("puts the page's og:title in the message's embed via MESSAGE_UPDATE; the image is proxied", async () => {
      const g = await createGuild(server);
      const gw = await connectUser(server, g.owner);
      reset();
      const url = `http://127.0.0.1:${v4.port}/page`;
      const sent = await send(server, g.owner, g.channelId, { content: `look: ${url}` });
      expect(sent.body.embeds).toEqual([]);
      const update = await gw.dispatch('MESSAGE_UPDATE', (d) => d.id === sent.body.id);
      expect(update.d.embeds).toHaveLength(1);
      const embed = update.d.embeds[0];
      expect(embed).toMatchObject({ type: 'link', url, title: 'Fixture Title', description: 'A page & its card', provider: { name: 'Fixture Site' } });
      expect(update.d.content).toBe(`look: ${url}`);
      expect(embed.thumbnail.url).toBe(`http://127.0.0.1:${v4.port}/img.png`);
      // Absolute, with the base the client connected to (Discord libraries need absolute URLs).
      expect(embed.thumbnail.proxy_url.startsWith(`${server.url}/external/proxy?url=`)).toBe(true);
      expect(embed.thumbnail.proxy_url).toMatch(/&hm=[0-9a-f]{64}$/);
      const proxied = await fetch(embed.thumbnail.proxy_url);
      expect(proxied.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await proxied.arrayBuffer()).equals(png)).toBe(true);
      expect((await fetch(embed.thumbnail.proxy_url.replace('img.png', 'page'))).status).toBe(404);
      const stored = await api(server, 'GET', `/channels/${g.channelId}/messages/${sent.body.id}`, { token: g.owner.token });
      expect(stored.body.embeds[0].title).toBe('Fixture Title');
      expect(gw.schemaErrors).toEqual([]);
      gw.close();
    });

    it('resizes a proxied preview to the size shown (WebP); bad sizes are a 400', async () => {
      const g = await createGuild(server);
      const gw = await connectUser(server, g.owner);
      const sent = await send(server, g.owner, g.channelId, { content: `http://127.0.0.1:${v4.port}/big.png` });
      const update = await gw.dispatch('MESSAGE_UPDATE', (d) => d.id === sent.body.id);
      const proxy = update.d.embeds[0].thumbnail.proxy_url as string;
      const original = Buffer.from(await (await fetch(proxy)).arrayBuffer());
      expect(original.equals(big)).toBe(true);
      // The 80 px thumbnail at 2x: covers 160×160 (the shorter side is 160), far smaller than the original.
      const thumb = await fetch(`${proxy}&width=160&height=160&fit=cover`);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      const bytes = Buffer.from(await thumb.arrayBuffer());
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 240, height: 160 });
      expect(bytes.length).toBeLessThan(big.length / 5);
      // Inside a box: the longer side fits.
      const inside = Buffer.from(await (await fetch(`${proxy}&width=400&height=300`)).arrayBuffer());
      expect(await sharp(inside).metadata()).toMatchObject({ width: 400, height: 267 });
      // Never enlarged.
      const small = Buffer.from(await (await fetch(`${proxy}&width=2048`)).arrayBuffer());
      expect((await sharp(small).metadata()).width).toBe(1200);
      for (const bad of ['&width=0', '&width=9999', '&height=abc', '&width=100&fit=stretch']) {
        const res = await fetch(proxy + bad);
        expect(res.status, bad).toBe(400);
        expect((await res.json()).code).toBe(50035);
      }
      gw.close();
    });

    it('re-checks every redirect: a hop to [::1] or localhost is refused, and loops stop', async () => {
      const g = await createGuild(server);
      const rec = recordEvents(server);
      reset();
      const sent = await send(server, g.owner, g.channelId, { content: `http://127.0.0.1:${v4.port}/to-v6 http://127.0.0.1:${v4.port}/to-localhost http://127.0.0.1:${v4.port}/loop` });
      expect(sent.status).toBe(200);
      for (let i = 0; i < 50 && v4.hits.filter((h) => h === '/loop').length < 6; i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect(v4.hits.filter((h) => h === '/loop')).toHaveLength(6); // the first request and 5 redirects
      expect(v4.hits).toContain('/to-v6');
      expect(v6.hits).toEqual([]);
      expect(rec.of('MESSAGE_UPDATE')).toEqual([]);
      rec.stop();
    });

    it('oEmbed discovery and direct image links', async () => {
      const g = await createGuild(server);
      const gw = await connectUser(server, g.owner);
      const video = `http://127.0.0.1:${v4.port}/video`;
      const image = `http://127.0.0.1:${v4.port}/img.png`;
      const sent = await send(server, g.owner, g.channelId, { content: `${video} and ${image}` });
      const update = await gw.dispatch('MESSAGE_UPDATE', (d) => d.id === sent.body.id);
      expect(update.d.embeds).toMatchObject([
        { type: 'link', url: video, title: 'From oEmbed', provider: { name: 'Fixture TV' }, thumbnail: { url: image } },
        { type: 'image', url: image },
      ]);
      const proxied = await fetch(update.d.embeds[1].thumbnail.proxy_url);
      expect(Buffer.from(await proxied.arrayBuffer()).equals(png)).toBe(true);
      gw.close();
    });

    it('<url> and SUPPRESS_EMBEDS fetch nothing', async () => {
      const g = await createGuild(server);
      reset();
      await send(server, g.owner, g.channelId, { content: `<http://127.0.0.1:${v4.port}/page2>` });
      await send(server, g.owner, g.channelId, { content: `http://127.0.0.1:${v4.port}/page2`, flags: 4 });
      await new Promise((r) => setTimeout(r, 800));
      expect(v4.hits).toEqual([]);
    });
  });
});
