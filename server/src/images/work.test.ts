import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createGuild, type TestGuild } from '../test/messages-fixtures.js';
import { IMAGE_CONCURRENCY, imageWork, imageWorkLoad } from './work.js';

function chunk(type: string, data: Buffer) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** A valid 1-bit grayscale PNG of width×height, all black: 16000×16000 compresses to about 31 KB. */
function blackPng(width: number, height: number) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, grayscale, deflate, no filter, no interlace
  const row = 1 + Math.ceil(width / 8); // filter byte + packed pixels
  const idat = deflateSync(Buffer.alloc(row * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('image work', () => {
  it('runs at most IMAGE_CONCURRENCY jobs at once, the rest in order', async () => {
    const release: (() => void)[] = [];
    const started: number[] = [];
    const jobs = Array.from({ length: IMAGE_CONCURRENCY + 3 }, (_, i) =>
      imageWork(async () => {
        started.push(i);
        await new Promise<void>((r) => release.push(r));
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(started).toEqual(Array.from({ length: IMAGE_CONCURRENCY }, (_, i) => i));
    expect(imageWorkLoad()).toEqual({ running: IMAGE_CONCURRENCY, waiting: 3 });
    while (release.length) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(imageWorkLoad()).toEqual({ running: 0, waiting: 0 });
  });

  it('a failing job frees its slot', async () => {
    await expect(imageWork(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(imageWorkLoad()).toEqual({ running: 0, waiting: 0 });
  });
});

describe('pixel bombs are refused before decoding', () => {
  let server: TestServer;
  let g: TestGuild;
  const bomb = blackPng(16000, 16000);
  beforeAll(async () => {
    server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
    g = await createGuild(server);
  });
  afterAll(() => server?.close());

  it('the test bomb is a small, valid PNG declaring 16000×16000', async () => {
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await sharp(bomb).metadata()).toMatchObject({ width: 16000, height: 16000, format: 'png' });
  });

  it('as an attachment (multipart): 400 naming the dimensions, nothing sent', async () => {
    const form = new FormData();
    form.append('files[0]', new Blob([bomb], { type: 'image/png' }), 'bomb.png');
    const res = await fetch(`${server.url}/api/v10/channels/${g.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.owner.token}` },
      body: form,
    });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.code).toBe(50035);
    expect(JSON.stringify(body.errors)).toMatch(/16000×16000/);
    const history = await api(server, 'GET', `/channels/${g.channelId}/messages`, { token: g.owner.token });
    expect(history.body.some((m: any) => m.attachments.length)).toBe(false);
  });

  it('as a direct upload: 400 when the message is sent', async () => {
    const slot = await api(server, 'POST', `/channels/${g.channelId}/attachments`, {
      token: g.owner.token,
      body: { files: [{ id: '0', filename: 'bomb.png', file_size: bomb.length }] },
    });
    const put = await fetch(slot.body.attachments[0].upload_url, {
      method: 'PUT',
      body: bomb,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.status).toBe(200);
    const sent = await api(server, 'POST', `/channels/${g.channelId}/messages`, {
      token: g.owner.token,
      body: { attachments: [{ id: '0', uploaded_filename: slot.body.attachments[0].upload_filename }] },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(400);
    expect(JSON.stringify(sent.body.errors)).toMatch(/megapixels/);
  });

  it('as an avatar, a guild icon or an emoji: 400 IMAGE_TOO_LARGE', async () => {
    const uri = `data:image/png;base64,${bomb.toString('base64')}`;
    const avatar = await api(server, 'PATCH', '/users/@me', { token: g.owner.token, body: { avatar: uri } });
    const icon = await api(server, 'PATCH', `/guilds/${g.guildId}`, { token: g.owner.token, body: { icon: uri } });
    const emoji = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'bomb', image: uri } });
    for (const [res, field] of [
      [avatar, 'avatar'],
      [icon, 'icon'],
      [emoji, 'image'],
    ] as const) {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors[field]._errors[0].code).toBe('IMAGE_TOO_LARGE');
    }
  });

  it('an image within the budget still works (control)', async () => {
    const ok = blackPng(2000, 1000);
    const form = new FormData();
    form.append('files[0]', new Blob([ok], { type: 'image/png' }), 'fine.png');
    const res = await fetch(`${server.url}/api/v10/channels/${g.channelId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${g.owner.token}` },
      body: form,
    });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.attachments[0]).toMatchObject({ width: 2000, height: 1000, content_type: 'image/png' });
  });
});
