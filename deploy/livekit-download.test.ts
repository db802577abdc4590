import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { downloadLivekit, LIVEKIT_RELEASES, LIVEKIT_VERSION } from '../scripts/voice-install.mjs';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A release-shaped archive: a folder with the binary and a licence, gzipped. */
async function archiveWith(binary: string): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: 'livekit/LICENSE' }, 'Apache-2.0');
  pack.entry({ name: 'livekit/livekit-server', mode: 0o755 }, binary);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('LiveKit download (npm start, voice:install)', () => {
  const file = LIVEKIT_RELEASES['linux-x64'].file as string;
  let good: Buffer;
  let tampered: Buffer;
  let server: Server;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), 'rc-livekit-dl-'));
  const quiet = () => {};

  beforeAll(async () => {
    good = await archiveWith('#!/bin/sh\necho fake livekit\n');
    tampered = await archiveWith('#!/bin/sh\necho something else entirely\n');
    server = createServer((req, res) => {
      const body = req.url === `/good/${file}` ? good : req.url === `/bad/${file}` ? tampered : undefined;
      res.writeHead(body ? 200 : 404, body ? { 'content-length': body.length } : {});
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pins a file name per platform for the pinned version, and a SHA-256 for Linux', () => {
    for (const r of Object.values<{ file: string }>(LIVEKIT_RELEASES)) expect(r.file).toContain(LIVEKIT_VERSION.slice(1));
    for (const p of ['linux-x64', 'linux-arm64']) expect(LIVEKIT_RELEASES[p].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('downloads, verifies the SHA-256, then installs only livekit-server (executable)', async () => {
    const dest = join(dir, 'ok', 'livekit-server');
    await downloadLivekit({ base: `${base}/good`, release: { file, sha256: sha(good) }, dest, log: quiet });
    expect(readFileSync(dest, 'utf8')).toContain('echo fake livekit');
    expect(statSync(dest).mode & 0o111).not.toBe(0);
    expect(readdirSync(join(dir, 'ok'))).toEqual(['livekit-server']);
  });

  it('refuses a tampered archive before unpacking anything', async () => {
    const dest = join(dir, 'bad', 'livekit-server');
    await expect(downloadLivekit({ base: `${base}/bad`, release: { file, sha256: sha(good) }, dest, log: quiet })).rejects.toThrow(
      /checksum mismatch .*refusing to unpack/,
    );
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('never downloads without a pinned checksum, and reports HTTP errors', async () => {
    await expect(
      downloadLivekit({ base: `${base}/good`, release: { file, sha256: null }, dest: join(dir, 'x'), log: quiet }),
    ).rejects.toThrow(/no pinned SHA-256/);
    await expect(
      downloadLivekit({ base: `${base}/missing`, release: { file, sha256: sha(good) }, dest: join(dir, 'y'), log: quiet }),
    ).rejects.toThrow(/HTTP 404/);
  });
});
