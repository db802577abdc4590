import { Permissions } from '@retrocast/protocol';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobBackends } from '../blobs/test-env.js';
import { type TestServer, type TestUser, api, startServer } from '../test/helper.js';
import { type TestGuild, addMember, createGuild, setEveryonePermissions } from '../test/messages-fixtures.js';
import { doSweepStaleUploads } from './service.js';

const bytesOf = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) % 256));

async function sendFiles(server: TestServer, user: TestUser, channelId: string, files: { name: string; bytes: Buffer; type?: string }[], payload: unknown = {}) {
  const form = new FormData();
  form.append('payload_json', JSON.stringify(payload));
  files.forEach((f, i) => form.append(`files[${i}]`, new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name));
  const res = await fetch(`${server.url}/api/v10/channels/${channelId}/messages`, { method: 'POST', headers: { authorization: `Bearer ${user.token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

async function download(server: TestServer, url: string) {
  const res = await fetch(new URL(url, server.url));
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function directUpload(server: TestServer, user: TestUser, channelId: string, name: string, bytes: Buffer, declared = bytes.length) {
  const slot = await api(server, 'POST', `/channels/${channelId}/attachments`, { token: user.token, body: { files: [{ id: '0', filename: name, file_size: declared }] } });
  if (slot.status !== 200) return { slot };
  const put = await fetch(slot.body.attachments[0].upload_url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  return { slot, put, uploaded: slot.body.attachments[0].upload_filename as string };
}

describe.each(blobBackends())('attachments on $name', ({ env }) => {
  let server: TestServer;
  let guild: TestGuild;
  let owner: TestUser;
  let reader: TestUser;
  const stored = async (channelId: string) => server.app.ctx.blobs.list(`attachments/${channelId}/`);
  beforeAll(async () => {
    server = await startServer({ env: { ...env, MAX_UPLOAD_MB: '2', RATE_LIMIT_DISABLED: '1' } });
    guild = await createGuild(server);
    owner = guild.owner;
    reader = await addMember(server, guild.guildId);
  });
  afterAll(() => server?.close());

  it('multipart: files come back byte-identical and images keep their dimensions', async () => {
    const bin = bytesOf(1024 * 1024);
    const png = await sharp({ create: { width: 320, height: 200, channels: 4, background: '#3366ff' } }).png().toBuffer();
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'data.bin', bytes: bin }, { name: 'pic.png', bytes: png }], { content: 'files!' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.content).toBe('files!');
    const [a, b] = sent.body.attachments;
    expect(a).toMatchObject({ filename: 'data.bin', size: bin.length, content_type: 'application/octet-stream' });
    expect(b).toMatchObject({ filename: 'pic.png', content_type: 'image/png', width: 320, height: 200 });
    expect(a.url).toMatch(/\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}$/);
    const got = await download(server, a.url);
    expect(got.res.status).toBe(200);
    expect(got.bytes.equals(bin)).toBe(true);
    expect(got.res.headers.get('content-disposition')).toMatch(/^attachment/);
    const img = await download(server, b.url);
    expect(img.res.headers.get('content-type')).toBe('image/png');
    expect(img.res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(await sharp(img.bytes).metadata()).toMatchObject({ width: 320, height: 200 });
    const preview = await download(server, `${b.proxy_url}&width=64`);
    expect(await sharp(preview.bytes).metadata()).toMatchObject({ width: 64, height: 40, format: 'webp' });
    // Made once, kept beside the original, served again from the store.
    expect(await stored(guild.channelId)).toContain(`attachments/${guild.channelId}/${b.id}-previews/64x0.webp`);
    expect((await download(server, `${b.proxy_url}&width=60`)).bytes.equals(preview.bytes)).toBe(true);
    // Another member reads the same message with working links.
    const read = await api(server, 'GET', `/channels/${guild.channelId}/messages/${sent.body.id}`, { token: reader.token });
    expect((await download(server, read.body.attachments[0].url)).bytes.equals(bin)).toBe(true);
  });

  it('serves byte ranges (seeking in audio and video)', async () => {
    const bytes = bytesOf(5000, 9);
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'clip.bin', bytes }]);
    const url = new URL(sent.body.attachments[0].url, server.url);
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/5000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(4990))).toBe(true);
    expect((await fetch(url, { headers: { range: 'bytes=6000-' } })).status).toBe(416);
  });

  it('direct upload: PUT to the presigned URL, then send by uploaded_filename', async () => {
    const bytes = bytesOf(300_000, 5);
    const up = await directUpload(server, owner, guild.channelId, 'report final.pdf', bytes);
    expect(up.slot.status).toBe(200);
    expect(up.put?.status).toBe(200);
    const sent = await api(server, 'POST', `/channels/${guild.channelId}/messages`, {
      token: owner.token,
      body: { content: '', attachments: [{ id: '0', filename: 'report final.pdf', uploaded_filename: up.uploaded }] },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.attachments[0]).toMatchObject({ filename: 'report_final.pdf', size: bytes.length });
    expect((await download(server, sent.body.attachments[0].url)).bytes.equals(bytes)).toBe(true);
    // The upload is used up.
    const again = await api(server, 'POST', `/channels/${guild.channelId}/messages`, { token: owner.token, body: { attachments: [{ id: '0', uploaded_filename: up.uploaded }] } });
    expect(again.status).toBe(400);
  });

  it('direct upload: the URL is single-use, dead once sent, and sent bytes never change', async () => {
    const bytes = bytesOf(50_000, 9);
    const up = await directUpload(server, owner, guild.channelId, 'once.bin', bytes);
    expect(up.put?.status).toBe(200);
    const url = up.slot.body.attachments[0].upload_url as string;
    const putAgain = (b: Buffer) => fetch(url, { method: 'PUT', body: b, headers: { 'content-type': 'application/octet-stream' } });
    // The disk store refuses a second PUT; S3 presigned URLs cannot be revoked, but see below.
    if (server.app.ctx.blobs.kind === 'disk') expect((await putAgain(bytesOf(50_000, 10))).status).toBe(409);
    const sent = await api(server, 'POST', `/channels/${guild.channelId}/messages`, { token: owner.token, body: { attachments: [{ id: '0', uploaded_filename: up.uploaded }] } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const att = sent.body.attachments[0];
    expect(att.size).toBe(bytes.length);
    const late = await putAgain(bytesOf(50_000, 11));
    if (server.app.ctx.blobs.kind === 'disk') expect(late.status).toBe(409);
    const got = await download(server, att.url);
    expect(got.res.headers.get('content-length')).toBe(String(bytes.length));
    expect(got.bytes.equals(bytes)).toBe(true);
    // Whatever a late PUT left in the staging area is swept; the sent file stays.
    await doSweepStaleUploads(server.app.ctx);
    expect(await server.app.ctx.blobs.list(`uploads/attachments/${guild.channelId}/${att.id}/`)).toEqual([]);
    expect((await download(server, att.url)).bytes.equals(bytes)).toBe(true);
  });

  it('strips EXIF (camera, GPS) from JPEGs by both upload paths', async () => {
    const jpeg = await sharp({ create: { width: 60, height: 40, channels: 3, background: 'red' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SecretCamera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .toBuffer();
    expect((await sharp(jpeg).metadata()).exif).toBeDefined();
    const viaForm = await sendFiles(server, owner, guild.channelId, [{ name: 'photo.jpg', bytes: jpeg }]);
    const up = await directUpload(server, owner, guild.channelId, 'photo2.jpg', jpeg);
    const viaDirect = await api(server, 'POST', `/channels/${guild.channelId}/messages`, { token: owner.token, body: { attachments: [{ id: '0', uploaded_filename: up.uploaded }] } });
    for (const msg of [viaForm.body, viaDirect.body]) {
      expect(msg.attachments[0]).toMatchObject({ content_type: 'image/jpeg', width: 60, height: 40 });
      const { bytes } = await download(server, msg.attachments[0].url);
      const meta = await sharp(bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes('SecretCamera')).toBe(false);
      expect(meta).toMatchObject({ width: 60, height: 40 });
    }
  });

  it('serves an HTML file named .png as a download, never inline HTML', async () => {
    const html = Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>');
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'cute.png', bytes: html, type: 'image/png' }]);
    expect(sent.status).toBe(200);
    expect(sent.body.attachments[0].content_type).not.toMatch(/html|image/);
    const { res } = await download(server, sent.body.attachments[0].url);
    expect(res.headers.get('content-type')).not.toMatch(/html|image/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sanitizes path-traversal file names', async () => {
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: '../../etc/passwd', bytes: Buffer.from('root:x:0:0') }]);
    expect(sent.status).toBe(200);
    expect(sent.body.attachments[0].filename).toBe('passwd');
    const up = await api(server, 'POST', `/channels/${guild.channelId}/attachments`, { token: owner.token, body: { files: [{ filename: '..\\..\\boot.ini', file_size: 3 }] } });
    expect(up.body.attachments[0].upload_filename).toMatch(/^attachments\/\d+\/\d+\/boot\.ini$/);
  });

  it('rejects oversize files before storing a byte', async () => {
    const channelId = guild.channelId;
    const before = await stored(channelId);
    const big = bytesOf(2 * 1024 * 1024 + 10);
    const form = await sendFiles(server, owner, channelId, [{ name: 'big.bin', bytes: big }]);
    expect(form.status).toBe(413);
    expect(form.body.code).toBe(50045);
    const slot = await api(server, 'POST', `/channels/${channelId}/attachments`, { token: owner.token, body: { files: [{ filename: 'big.bin', file_size: big.length }] } });
    expect(slot.status).toBe(413);
    // Lying about the size: the presigned PUT only takes the declared length.
    const lie = await directUpload(server, owner, channelId, 'lie.bin', big, 1000);
    expect(lie.put?.status).toBeGreaterThanOrEqual(400);
    const after = await stored(channelId);
    expect(after).toEqual(before);
  });

  it('rejects 11 files with 400 and stores none', async () => {
    const before = await stored(guild.channelId);
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, bytes: Buffer.from(`file ${i}`) }));
    const res = await sendFiles(server, owner, guild.channelId, files);
    expect(res.status).toBe(400);
    const direct = await api(server, 'POST', `/channels/${guild.channelId}/attachments`, { token: owner.token, body: { files: files.map((f) => ({ filename: f.name, file_size: 6 })) } });
    expect(direct.status).toBe(400);
    expect(await stored(guild.channelId)).toEqual(before);
  });

  it('needs ATTACH_FILES on both paths', async () => {
    const { VIEW_CHANNEL, SEND_MESSAGES, READ_MESSAGE_HISTORY } = Permissions;
    const g = await createGuild(server);
    const member = await addMember(server, g.guildId);
    await setEveryonePermissions(server, g.guildId, VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY);
    const form = await sendFiles(server, member, g.channelId, [{ name: 'a.txt', bytes: Buffer.from('hi') }]);
    expect(form.status).toBe(403);
    expect(form.body.code).toBe(50013);
    const direct = await api(server, 'POST', `/channels/${g.channelId}/attachments`, { token: member.token, body: { files: [{ filename: 'a.txt', file_size: 2 }] } });
    expect(direct.status).toBe(403);
    expect(await stored(g.channelId)).toEqual([]);
    // A stranger's channel is simply unknown.
    const stranger = await sendFiles(server, reader, g.channelId, [{ name: 'a.txt', bytes: Buffer.from('hi') }]);
    expect(stranger.status).toBe(404);
  });

  it("cannot rename someone else's file through a send", async () => {
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'owners.txt', bytes: Buffer.from('mine') }]);
    const id = sent.body.attachments[0].id;
    const attempt = await api(server, 'POST', `/channels/${guild.channelId}/messages`, { token: reader.token, body: { attachments: [{ id, filename: 'pwned.txt' }] } });
    expect(attempt.status).toBe(404);
    const after = await api(server, 'GET', `/channels/${guild.channelId}/messages/${sent.body.id}`, { token: owner.token });
    expect(after.body.attachments[0].filename).toBe('owners.txt');
  });

  it('refuses tampered download links and unknown uploads', async () => {
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'x.txt', bytes: Buffer.from('secret') }]);
    const url = new URL(sent.body.attachments[0].url, server.url);
    const hm = url.searchParams.get('hm') as string;
    url.searchParams.set('hm', (hm[0] === 'a' ? 'b' : 'a') + hm.slice(1));
    expect((await fetch(url)).status).toBe(404);
    const unsigned = new URL(sent.body.attachments[0].url.split('?')[0], server.url);
    expect((await fetch(unsigned)).status).toBe(404);
    const other = await api(server, 'POST', `/channels/${guild.channelId}/messages`, {
      token: reader.token,
      body: { attachments: [{ id: '0', uploaded_filename: `attachments/${guild.channelId}/1/x.txt` }] },
    });
    expect(other.status).toBe(400);
  });

  it('deletes the blobs of a deleted message', async () => {
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'gone.txt', bytes: Buffer.from('bye') }]);
    const id = sent.body.attachments[0].id;
    const mine = async () => (await stored(guild.channelId)).filter((k) => k.split('/')[2].split('-')[0] === id);
    expect(await mine()).toHaveLength(1);
    expect((await api(server, 'DELETE', `/channels/${guild.channelId}/messages/${sent.body.id}`, { token: owner.token })).status).toBe(204);
    for (let i = 0; i < 100 && (await mine()).length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await mine()).toEqual([]);
    expect((await fetch(new URL(sent.body.attachments[0].url, server.url))).status).toBe(404);
  });

  it('drops uploads never sent, with their blobs', async () => {
    const up = await directUpload(server, owner, guild.channelId, 'never-sent.txt', Buffer.from('abandoned'));
    expect(up.put?.status).toBe(200);
    // Direct uploads wait in the staging area until a message takes them in.
    const staged = () => server.app.ctx.blobs.list(`uploads/attachments/${guild.channelId}/`);
    expect(await staged()).toContain(`uploads/${up.uploaded}`);
    // Sent uploads stay: only rows without a message go.
    const sent = await sendFiles(server, owner, guild.channelId, [{ name: 'kept.txt', bytes: Buffer.from('kept') }]);
    expect(await doSweepStaleUploads(server.app.ctx, 0)).toBeGreaterThanOrEqual(1);
    expect(await staged()).not.toContain(`uploads/${up.uploaded}`);
    const left = await stored(guild.channelId);
    expect(left).not.toContain(up.uploaded);
    expect(left.some((k) => k.includes(`/${sent.body.attachments[0].id}/`))).toBe(true);
  });

  it('deleting a guild deletes its files, icon and emoji', async () => {
    const g = await createGuild(server);
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: 'navy' } }).png().toBuffer();
    const image = `data:image/png;base64,${png.toString('base64')}`;
    await sendFiles(server, g.owner, g.channelId, [{ name: 'doomed.txt', bytes: Buffer.from('bye') }]);
    expect((await api(server, 'PATCH', `/guilds/${g.guildId}`, { token: g.owner.token, body: { icon: image } })).status).toBe(200);
    expect((await api(server, 'POST', `/guilds/${g.guildId}/emojis`, { token: g.owner.token, body: { name: 'doomed', image } })).status).toBe(201);
    const all = async () => [...(await stored(g.channelId)), ...(await server.app.ctx.blobs.list(`emojis/${g.guildId}/`)), ...(await server.app.ctx.blobs.list(`icons/${g.guildId}/`))];
    expect(await all()).toHaveLength(3);
    // A member leaving (GUILD_DELETE to them) deletes nothing.
    const leaver = await addMember(server, g.guildId);
    expect((await api(server, 'DELETE', `/users/@me/guilds/${g.guildId}`, { token: leaver.token })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 300));
    expect(await all()).toHaveLength(3);
    expect((await api(server, 'DELETE', `/guilds/${g.guildId}`, { token: g.owner.token })).status).toBe(204);
    for (let i = 0; i < 100 && (await all()).length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await all()).toEqual([]);
  });
});
