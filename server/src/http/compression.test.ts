import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuildWith } from '../test/gateway.js';
import { api, registerUser, startServer, type TestServer } from '../test/helper.js';

/** A GET that shows the bytes on the wire (fetch would decompress them). */
function rawGet(server: TestServer, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A built client in miniature: one hashed asset with its precompressed variants, as web/scripts/precompress.mjs writes them.
const webDir = mkdtempSync(join(tmpdir(), 'retrocast-web-'));
const js = Buffer.from(`export const x = ${JSON.stringify('retrocast '.repeat(400))};\n`);
mkdirSync(join(webDir, '_app/immutable/entry'), { recursive: true });
writeFileSync(join(webDir, 'index.html'), `<!doctype html><title>Retrocast</title>${'<!-- padding -->'.repeat(100)}`);
writeFileSync(join(webDir, '_app/immutable/entry/app.abc123.js'), js);
writeFileSync(join(webDir, '_app/immutable/entry/app.abc123.js.br'), brotliCompressSync(js));
writeFileSync(join(webDir, '_app/immutable/entry/app.abc123.js.gz'), gzipSync(js));

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { WEB_DIR: webDir } });
});
afterAll(async () => {
  await server?.close();
});

describe('HTTP compression', () => {
  it('sends the precompressed brotli or gzip file of a hashed asset, cached as immutable', async () => {
    const path = '/_app/immutable/entry/app.abc123.js';
    const br = await rawGet(server, path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.body).equals(js)).toBe(true);
    const gz = await rawGet(server, path, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(js.length);
    const plain = await rawGet(server, path);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(js)).toBe(true);
  });

  it('compresses JSON above 1 KB when the client accepts it, and leaves small or unasked-for responses alone', async () => {
    const user = await registerUser(server);
    const auth = { authorization: `Bearer ${user.token}` };
    const channel = (await createGuildWith(server, user, [])).general.id;
    for (let i = 0; i < 5; i++)
      expect(
        (
          await api(server, 'POST', `/channels/${channel}/messages`, {
            token: user.token,
            body: { content: `${i} ${'words '.repeat(60)}` },
          })
        ).status,
      ).toBe(200);
    const path = `/api/v10/channels/${channel}/messages?limit=50`;
    const big = await rawGet(server, path, { 'accept-encoding': 'br', ...auth });
    expect(big.status).toBe(200);
    expect(big.headers['content-encoding']).toBe('br');
    const list = JSON.parse(brotliDecompressSync(big.body).toString('utf8'));
    expect(list).toHaveLength(5);
    const identity = await rawGet(server, path, auth);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(identity.body.toString('utf8'))).toEqual(list);
    const small = await rawGet(server, '/api/v10/users/@me', { 'accept-encoding': 'br, gzip', ...auth });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8')).id).toBe(user.id);
  });

  it('keeps the security headers on compressed responses', async () => {
    const res = await rawGet(server, '/_app/immutable/entry/app.abc123.js', { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
