import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../test/helper.js';
import { readBlob } from './types.js';
import type { BlobStore } from './types.js';

/**
 * The behaviour every BlobStore must have, exercised through a real server started with `env`
 * (so presigned uploads go through the same URLs clients use). Each backend's test file calls this once.
 */
export function describeBlobContract(name: string, env: () => Record<string, string>) {
  describe(`BlobStore contract: ${name}`, () => {
    let server: TestServer;
    let blobs: BlobStore;
    const prefix = `contract/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    beforeAll(async () => {
      server = await startServer({ env: env() });
      blobs = server.app.ctx.blobs;
    });
    afterAll(() => server?.close());

    it('stores, reads back byte-identical, reports size, lists and deletes', async () => {
      const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
      await blobs.put(`${prefix}/a/one.bin`, bytes, 'application/octet-stream');
      await blobs.put(`${prefix}/a/two.bin`, Buffer.from('two'));
      expect(await blobs.head(`${prefix}/a/one.bin`)).toEqual({ size: 70_000 });
      expect((await readBlob(blobs, `${prefix}/a/one.bin`, 1e6))?.equals(bytes)).toBe(true);
      expect(await blobs.list(`${prefix}/a/`)).toEqual([`${prefix}/a/one.bin`, `${prefix}/a/two.bin`]);
      await blobs.delete([`${prefix}/a/one.bin`, `${prefix}/a/missing.bin`]);
      expect(await blobs.head(`${prefix}/a/one.bin`)).toBeUndefined();
      expect(await blobs.get(`${prefix}/a/one.bin`)).toBeUndefined();
      expect(await blobs.list(`${prefix}/a/`)).toEqual([`${prefix}/a/two.bin`]);
    });

    it('reads byte ranges', async () => {
      await blobs.put(`${prefix}/r`, Buffer.from('0123456789'));
      const part = async (start: number, end: number) => {
        const chunks: Buffer[] = [];
        for await (const c of (await blobs.get(`${prefix}/r`, { start, end }))!) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString();
      };
      expect(await part(2, 5)).toBe('2345');
      expect(await part(9, 9)).toBe('9');
      expect(await part(0, 9)).toBe('0123456789');
    });

    it('overwrites a key whole', async () => {
      await blobs.put(`${prefix}/b`, Buffer.from('first version'));
      await blobs.put(`${prefix}/b`, Buffer.from('2nd'));
      expect((await readBlob(blobs, `${prefix}/b`, 100))?.toString()).toBe('2nd');
    });

    it('creates a key once and never replaces it', async () => {
      expect(await blobs.create(`${prefix}/c`, Buffer.from('original'))).toBe(true);
      expect(await blobs.create(`${prefix}/c`, Buffer.from('replaced'))).toBe(false);
      expect((await readBlob(blobs, `${prefix}/c`, 100))?.toString()).toBe('original');
      const racing = await Promise.all(['a', 'b', 'c', 'd'].map((v) => blobs.create(`${prefix}/race`, Buffer.from(v))));
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await blobs.list(`${prefix}/race`)).toEqual([`${prefix}/race`]);
    });

    it('refuses keys that could escape the store', async () => {
      for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b', '']) await expect(blobs.put(bad, Buffer.from('x'))).rejects.toThrow(/invalid blob key/);
    });

    it('accepts a presigned PUT of exactly the declared size', async () => {
      const bytes = Buffer.from('hello presigned world');
      const url = await blobs.presignPut(`${prefix}/up/ok.txt`, { size: bytes.length, expiresInSec: 300, baseUrl: server.url });
      const res = await fetch(url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
      expect(res.status).toBe(200);
      expect((await readBlob(blobs, `${prefix}/up/ok.txt`, 100))?.equals(bytes)).toBe(true);
    });

    it('refuses a tampered, expired or wrong-size presigned PUT and stores nothing', async () => {
      const bytes = Buffer.from('0123456789');
      const url = new URL(await blobs.presignPut(`${prefix}/up2/bad.txt`, { size: 10, expiresInSec: 300, baseUrl: server.url }));
      const put = (u: URL | string, body: Buffer) => fetch(u, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      const tampered = new URL(url);
      const sigParam = tampered.searchParams.has('hm') ? 'hm' : 'X-Amz-Signature';
      const sig = tampered.searchParams.get(sigParam) as string;
      tampered.searchParams.set(sigParam, (sig[0] === '0' ? '1' : '0') + sig.slice(1));
      expect((await put(tampered, bytes)).status).toBeGreaterThanOrEqual(400);
      const otherKey = url.toString().replace('bad.txt', 'evil.txt');
      expect((await put(otherKey, bytes)).status).toBeGreaterThanOrEqual(400);
      expect((await put(url, Buffer.from('01234567890123'))).status).toBeGreaterThanOrEqual(400);
      const expired = await blobs.presignPut(`${prefix}/up2/late.txt`, { size: 10, expiresInSec: 1, baseUrl: server.url });
      await new Promise((r) => setTimeout(r, 2100));
      expect((await put(expired, bytes)).status).toBeGreaterThanOrEqual(400);
      expect(await blobs.list(`${prefix}/up2/`)).toEqual([]);
    });
  });
}
