import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameWriter, flushOwn, SLOW_CLIENT_BYTES, writeWsHeader, wsHeaderLength } from './frame-writer.js';

/** A real loopback TCP pair: `server` is the side a FrameWriter writes to, `client` reads. */
async function pair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const srv: Server = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const accepted = once(srv, 'connection');
  const client = connect(port, '127.0.0.1');
  const [server] = (await accepted) as [Socket];
  await once(client, 'connect').catch(() => {});
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      srv.close();
    },
  };
}

function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const buf = Buffer.alloc(wsHeaderLength(payload.length) + payload.length);
  writeWsHeader(buf, payload.length);
  payload.copy(buf, buf.length - payload.length);
  return buf;
}

/** Parses unmasked server frames: [opcode, payload text]. */
function parseFrames(buf: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let off = 0;
  while (off < buf.length) {
    let n = buf[off + 1] & 0x7f;
    let h = 2;
    if (n === 126) {
      n = buf.readUInt16BE(off + 2);
      h = 4;
    } else if (n === 127) {
      n = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
      h = 10;
    }
    out.push([buf[off] & 0x0f, buf.toString('utf8', off + h, off + h + n)]);
    off += h + n;
  }
  return out;
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('FrameWriter', () => {
  it('frame headers: 7-bit, 16-bit and 64-bit lengths', () => {
    for (const n of [0, 125, 126, 65_535, 65_536, 200_000]) {
      const frames = parseFrames(textFrame('x'.repeat(n)));
      expect(frames).toEqual([[1, 'x'.repeat(n)]]);
    }
  });

  it('everything pushed in one turn goes out in one write, in order, after the turn', async () => {
    const p = await pair();
    cleanup = p.close;
    // One syscall: the frames reach the socket's handle together (Node's writev), not one by one.
    const handle = (p.server as unknown as { _handle: Record<string, (...a: unknown[]) => number> })._handle;
    const writes: number[] = [];
    for (const name of ['writeBuffer', 'writev']) {
      const real = handle[name].bind(handle);
      handle[name] = (req: unknown, data: Buffer | Buffer[], ...rest: unknown[]) => {
        writes.push(Array.isArray(data) ? data.reduce((a, b) => a + (Buffer.isBuffer(b) ? b.length : 0), 0) : data.length);
        return real(req, data, ...rest);
      };
    }
    const w = new FrameWriter(
      p.server,
      () => true,
      () => {},
    );
    const texts = ['{"s":1}', '{"s":2}', `{"s":3,"d":"${'y'.repeat(70_000)}"}`];
    for (const t of texts) w.push(textFrame(t));
    expect(writes).toEqual([]);
    const received: Buffer[] = [];
    p.client.on('data', (c: Buffer) => received.push(c));
    const total = texts.reduce((a, t) => a + wsHeaderLength(t.length) + t.length, 0);
    while (received.reduce((a, c) => a + c.length, 0) < total) await new Promise((r) => setTimeout(r, 5));
    expect(writes).toEqual([total]);
    expect(parseFrames(Buffer.concat(received))).toEqual(texts.map((t) => [1, t]));
  });

  it('flush() writes what is pending at once (for whoever writes to the socket next), nothing twice', async () => {
    const p = await pair();
    cleanup = p.close;
    const w = new FrameWriter(
      p.server,
      () => true,
      () => {},
    );
    w.push(textFrame('a'));
    w.flush();
    p.server.write(Buffer.from([0x89, 0])); // a ping written by someone else
    w.push(textFrame('b'));
    const received: Buffer[] = [];
    p.client.on('data', (c: Buffer) => received.push(c));
    while (received.reduce((a, c) => a + c.length, 0) < 8) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(parseFrames(Buffer.concat(received))).toEqual([
      [1, 'a'],
      [9, ''],
      [1, 'b'],
    ]);
  });

  it("flushOwn() writes the caller's connections now and leaves everyone else's for the end of the turn", async () => {
    const [pa, pb] = [await pair(), await pair()];
    cleanup = () => {
      pa.close();
      pb.close();
    };
    const written = (s: Socket) => (s as unknown as { bytesWritten: number }).bytesWritten;
    const mine = new FrameWriter(
      pa.server,
      () => true,
      () => {},
      SLOW_CLIENT_BYTES,
      () => 'alice',
    );
    const theirs = new FrameWriter(
      pb.server,
      () => true,
      () => {},
      SLOW_CLIENT_BYTES,
      () => 'bob',
    );
    mine.push(textFrame('to alice'));
    theirs.push(textFrame('to bob'));
    flushOwn('alice');
    expect(written(pa.server)).toBe(textFrame('to alice').length);
    expect(written(pb.server)).toBe(0);
    // Bob's frame and one pushed later in the same turn share the end-of-turn write.
    theirs.push(textFrame('again'));
    await new Promise((r) => setImmediate(r));
    expect(written(pb.server)).toBe(textFrame('to bob').length + textFrame('again').length);
    // Nothing is written twice: alice's writer left the end-of-turn list.
    expect(written(pa.server)).toBe(textFrame('to alice').length);
  });

  it('writes nothing once the WebSocket is closing', async () => {
    const p = await pair();
    cleanup = p.close;
    let open = true;
    const w = new FrameWriter(
      p.server,
      () => open,
      () => {},
    );
    w.push(textFrame('late'));
    open = false;
    await new Promise((r) => setImmediate(r));
    expect(p.server.bytesWritten).toBe(0);
  });

  it('a client that stops reading is reported once its unsent bytes pass the limit', async () => {
    const p = await pair();
    cleanup = p.close;
    p.client.pause();
    let slow = 0;
    const w = new FrameWriter(
      p.server,
      () => true,
      () => slow++,
      1024 * 1024,
    );
    const big = textFrame('z'.repeat(256 * 1024));
    // The kernel's socket buffers take a few MiB first; then Node's buffer grows to the limit.
    for (let i = 0; i < 400 && !slow; i++) {
      w.push(big);
      w.flush();
    }
    expect(slow).toBe(1);
    expect(p.server.writableLength).toBeGreaterThan(1024 * 1024);
    expect(p.server.writableLength).toBeLessThan(2 * 1024 * 1024);
  });
});
