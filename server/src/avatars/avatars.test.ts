import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobBackends } from '../blobs/test-env.js';
import { type TestServer, api, registerUser } from '../test/helper.js';
import { startServer } from '../test/helper.js';
import { addMember, createGuild } from '../test/messages-fixtures.js';

const dataUri = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;

async function animatedGif(): Promise<Buffer> {
  const frame = (color: string) => sharp({ create: { width: 48, height: 48, channels: 3, background: color } }).png().toBuffer();
  const frames = await Promise.all(['red', 'blue', 'green'].map(frame));
  return sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100, 100] }).toBuffer();
}

describe.each(blobBackends())('avatars and icons on $name', ({ env }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env });
  });
  afterAll(() => server?.close());
  const get = (path: string) => fetch(server.url + path);

  it('PATCH /users/@me {avatar} stores a hash and serves it at any size and format, long-cached', async () => {
    const user = await registerUser(server);
    const png = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#ff8800' } }).png().toBuffer();
    const res = await api(server, 'PATCH', '/users/@me', { token: user.token, body: { avatar: dataUri(png) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const hash = res.body.avatar as string;
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect((await api(server, 'GET', '/users/@me', { token: user.token })).body.avatar).toBe(hash);
    const small = await get(`/avatars/${user.id}/${hash}.png?size=64`);
    expect(small.status).toBe(200);
    expect(small.headers.get('cache-control')).toMatch(/max-age=31536000/);
    expect(await sharp(Buffer.from(await small.arrayBuffer())).metadata()).toMatchObject({ format: 'png', width: 64, height: 64 });
    const webp = await get(`/avatars/${user.id}/${hash}.webp`);
    expect(webp.headers.get('content-type')).toBe('image/webp');
    expect((await get(`/avatars/${user.id}/${hash}.png?size=8`)).status).toBe(400);
    expect((await get(`/avatars/${user.id}/${hash}.gif`)).status).toBe(404);
    expect((await get(`/avatars/${user.id}/${'0'.repeat(32)}.png`)).status).toBe(404);
    const cleared = await api(server, 'PATCH', '/users/@me', { token: user.token, body: { avatar: null } });
    expect(cleared.body.avatar).toBeNull();
  });

  it('animated GIF avatars get an a_ hash and stay animated', async () => {
    const user = await registerUser(server);
    const res = await api(server, 'PATCH', '/users/@me', { token: user.token, body: { avatar: dataUri(await animatedGif(), 'image/gif') } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.avatar).toMatch(/^a_[0-9a-f]{32}$/);
    const gif = await get(`/avatars/${user.id}/${res.body.avatar}.gif?size=32`);
    expect(gif.headers.get('content-type')).toBe('image/gif');
    const meta = await sharp(Buffer.from(await gif.arrayBuffer()), { animated: true }).metadata();
    expect(meta.pages).toBe(3);
    expect(meta.width).toBe(32);
    const still = await get(`/avatars/${user.id}/${res.body.avatar}.png`);
    expect((await sharp(Buffer.from(await still.arrayBuffer())).metadata()).format).toBe('png');
  });

  it('refuses a non-image avatar and keeps the old one', async () => {
    const user = await registerUser(server);
    for (const avatar of [dataUri(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'), dataUri(Buffer.from('<html></html>')), 'not a data uri']) {
      const res = await api(server, 'PATCH', '/users/@me', { token: user.token, body: { avatar } });
      expect(res.status).toBe(400);
      expect(res.body.errors.avatar._errors[0].code).toBe('IMAGE_INVALID');
    }
    expect((await api(server, 'GET', '/users/@me', { token: user.token })).body.avatar).toBeNull();
  });

  it('PATCH /guilds/:id {icon} needs MANAGE_GUILD and serves at /icons', async () => {
    const g = await createGuild(server);
    const member = await addMember(server, g.guildId);
    const jpeg = await sharp({ create: { width: 128, height: 128, channels: 3, background: 'purple' } }).jpeg().toBuffer();
    const denied = await api(server, 'PATCH', `/guilds/${g.guildId}`, { token: member.token, body: { icon: dataUri(jpeg, 'image/jpeg') } });
    expect(denied.status).toBe(403);
    const res = await api(server, 'PATCH', `/guilds/${g.guildId}`, { token: g.owner.token, body: { icon: dataUri(jpeg, 'image/jpeg') } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.icon).toMatch(/^[0-9a-f]{32}$/);
    const icon = await get(`/icons/${g.guildId}/${res.body.icon}.png?size=16`);
    expect(await sharp(Buffer.from(await icon.arrayBuffer())).metadata()).toMatchObject({ width: 16, height: 16 });
    const bad = await api(server, 'PATCH', `/guilds/${g.guildId}`, { token: g.owner.token, body: { icon: dataUri(Buffer.from('nope')) } });
    expect(bad.status).toBe(400);
  });
});
