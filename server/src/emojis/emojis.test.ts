import { Permissions } from '@retrocast/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobBackends } from '../blobs/test-env.js';
import { connectUser } from '../test/gateway.js';
import { type TestServer, api, startServer } from '../test/helper.js';
import { addMember, createGuild, createRole, giveRole } from '../test/messages-fixtures.js';
import { verifyDispatch } from '../test/verify-dispatch.js';

const png = (color = '#22aa44', size = 64) => sharp({ create: { width: size, height: size, channels: 4, background: color } }).png().toBuffer();
const uri = (b: Buffer, type = 'image/png') => `data:${type};base64,${b.toString('base64')}`;

describe.each(blobBackends())('guild emojis on $name', ({ env }) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { ...env, RATE_LIMIT_DISABLED: '1' } });
  });
  afterAll(() => server?.close());
  const blobs = (guildId: string) => server.app.ctx.blobs.list(`emojis/${guildId}/`);

  it('create, list, rename, delete with GUILD_EMOJIS_UPDATE to members; image served and removed', async () => {
    const g = await createGuild(server);
    const member = await addMember(server, g.guildId);
    const gw = await connectUser(server, member);
    const created = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'party_cat', image: uri(await png()) } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'party_cat', animated: false, require_colons: true, managed: false, available: true, roles: [] });
    const id = created.body.id;
    const ev = await gw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.guild_id === g.guildId);
    expect(ev.d.emojis.map((e: { id: string }) => e.id)).toEqual([id]);
    const later = await connectUser(server, g.owner);
    const gc = later.dispatches('GUILD_CREATE').find((f) => f.d.id === g.guildId);
    expect(gc?.d.emojis.map((e: { id: string }) => e.id)).toEqual([id]);
    later.close();
    const img = await fetch(`${server.url}/emojis/${id}.webp?size=32`);
    expect(img.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width).toBe(32);

    const list = await api(server, 'GET', `/guilds/${g.guildId}/emojis`, { token: member.token });
    expect(list.body).toHaveLength(1);
    expect(list.body[0].user).toBeUndefined(); // creators only for managers
    expect((await api(server, 'GET', `/guilds/${g.guildId}/emojis`, { token: g.owner.token })).body[0].user.id).toBe(g.owner.id);

    const renamed = await api(server, 'PATCH', `/guilds/${g.guildId}/emojis/${id}`, { token: g.owner.token, body: { name: 'partycat2' } });
    expect(renamed.body.name).toBe('partycat2');
    await gw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.emojis[0]?.name === 'partycat2');

    expect(await blobs(g.guildId)).toHaveLength(1);
    expect((await api(server, 'DELETE', `/guilds/${g.guildId}/emojis/${id}`, { token: g.owner.token })).status).toBe(204);
    await gw.dispatch('GUILD_EMOJIS_UPDATE', (d) => d.emojis.length === 0);
    expect(await blobs(g.guildId)).toEqual([]);
    expect((await fetch(`${server.url}/emojis/${id}.png`)).status).toBe(404);
    expect(gw.schemaErrors).toEqual([]);
    gw.close();
  });

  it('GUILD_EMOJIS_UPDATE keeps a client in sync with READY (verifyDispatch)', async () => {
    const g = await createGuild(server);
    const member = await addMember(server, g.guildId);
    const ok = (method: string, path: string, body?: unknown) => async () => {
      const res = await api(server, method, path, { token: g.owner.token, body });
      expect(res.status).toBeLessThan(300);
      return res.body;
    };
    let id = '';
    await verifyDispatch(server, member, async () => (id = (await ok('POST', `/guilds/${g.guildId}/emojis`, { name: 'sync_me', image: uri(await png()) })()).id), ['GUILD_EMOJIS_UPDATE']);
    await verifyDispatch(server, member, ok('PATCH', `/guilds/${g.guildId}/emojis/${id}`, { name: 'synced' }), ['GUILD_EMOJIS_UPDATE']);
    await verifyDispatch(server, member, ok('DELETE', `/guilds/${g.guildId}/emojis/${id}`), ['GUILD_EMOJIS_UPDATE']);
  });

  it('animated GIF emoji stay animated', async () => {
    const g = await createGuild(server);
    const frames = await Promise.all(['red', 'blue'].map((c) => png(c, 32)));
    const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
    const res = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'blink', image: uri(gif, 'image/gif') } });
    expect(res.body.animated).toBe(true);
    const served = await fetch(`${server.url}/emojis/${res.body.id}.gif`);
    expect((await sharp(Buffer.from(await served.arrayBuffer()), { animated: true }).metadata()).pages).toBe(2);
  });

  it('bad input: names, non-images, oversize, permissions → 4xx and nothing stored', async () => {
    const g = await createGuild(server);
    const member = await addMember(server, g.guildId);
    const image = uri(await png());
    for (const name of ['a b', 'a', 'x'.repeat(33), 'bad-name', 'émoji']) {
      const res = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name, image } });
      expect(res.status, name).toBe(400);
      expect(res.body.code).toBe(50035);
      expect(res.body.errors.name).toBeDefined();
    }
    const svg = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'svg', image: uri(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml') } });
    expect(svg.status).toBe(400);
    const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, () => Math.floor(Math.random() * 256))), { raw: { width: 400, height: 400, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(256 * 1024);
    const big = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'big', image: uri(noise) } });
    expect(big.status).toBe(400);
    const denied = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: member.token, body: { name: 'nope', image } });
    expect(denied.status).toBe(403);
    expect((await api(server, 'GET', `/guilds/${g.guildId}/emojis`, { token: g.owner.token })).body).toEqual([]);
    expect(await blobs(g.guildId)).toEqual([]);
    // The permission is MANAGE_GUILD_EXPRESSIONS (1 << 30).
    const role = await createRole(server, g.guildId, { permissions: Permissions.MANAGE_GUILD_EXPRESSIONS });
    await giveRole(server, g.guildId, member.id, role);
    expect((await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: member.token, body: { name: 'ok_now', image } })).status).toBe(201);
    const stranger = await api(server, 'GET', `/guilds/${g.guildId}/emojis`, { token: (await addMember(server, (await createGuild(server)).guildId)).token });
    expect(stranger.status).toBe(404);
  });

  it('allows 50 static emoji per guild, then 30008', async () => {
    const g = await createGuild(server);
    const image = uri(await png('#000000', 16));
    for (let i = 0; i < 50; i++) {
      const r = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: `e${i}`, image } });
      expect(r.status).toBe(201);
    }
    const over = await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'e50', image } });
    expect(over.status).toBe(400);
    expect(over.body.code).toBe(30008);
  });
});
