import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A minimal WebSocket client (RFC 6455) on a raw TCP socket, for the load generator only: no
 * extensions, no fragmented messages, text/binary handed over as a slice of the received chunk
 * (never copied or decoded unless a message spans chunks). The receiving side of 1,000 sessions
 * shares the machine's cores with the server it measures, so it does as little as possible per
 * frame: `ws` would allocate a Buffer per message, validate and emit it.
 */
export interface RawHandlers {
  /** The handshake completed. */
  open(): void;
  /** One text or binary message: `buf[start, end)`; the bytes are only valid during the call. */
  message(buf: Buffer, start: number, end: number): void;
  /** The connection is gone: the server's close code, or 1006 without a close frame. */
  close(code: number): void;
  error(err: Error): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** Where every socket of this process reads (one read is parsed before the next one starts). */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export class RawWebSocket {
  private readonly socket: Socket;
  private upgraded = false;
  /** Received bytes not yet consumed, and how many bytes the next step needs. */
  private chunks: Buffer[] = [];
  private have = 0;
  private need = 2;
  private closeCode = 1006;
  open = false;

  constructor(
    url: string,
    private readonly on: RawHandlers,
  ) {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    // Reads land in one buffer shared by every socket of the process (`onread`): no Buffer per
    // read and no stream 'data' events. What a read leaves unparsed is copied (keep).
    this.socket = connect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 80),
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.onData(buf as Buffer, n);
          return true;
        },
      },
    });
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('error', (err) => this.on.error(err));
    this.socket.on('close', () => {
      this.open = false;
      this.on.close(this.closeCode);
    });
  }

  /** Sends one masked text frame. */
  send(text: string): void {
    if (!this.open) return;
    const payload = Buffer.from(text);
    const n = payload.length;
    const h = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(h + 4 + n);
    frame[0] = 0x81;
    if (n < 126) frame[1] = 0x80 | n;
    else if (n < 65_536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(0, 2);
      frame.writeUInt32BE(n, 6);
    }
    const mask = randomBytes(4);
    mask.copy(frame, h);
    for (let i = 0; i < n; i++) frame[h + 4 + i] = payload[i] ^ mask[i & 3];
    this.socket.write(frame);
  }

  terminate(): void {
    this.open = false;
    this.socket.destroy();
  }

  /** `n` bytes read into the shared buffer: valid only during this call. */
  private onData(shared: Buffer, n: number) {
    const chunk = shared.subarray(0, n);
    if (this.have + n < this.need) {
      this.chunks.push(Buffer.from(chunk));
      this.have += n;
      return;
    }
    const buf = this.have ? Buffer.concat([...this.chunks, chunk], this.have + n) : chunk;
    this.chunks = [];
    this.have = 0;
    this.need = 2;
    let off = 0;
    if (!this.upgraded) {
      const end = buf.indexOf(HEADER_END);
      if (end < 0) return this.keep(buf, 0, buf.length + 1);
      const status = buf.toString('latin1', 0, buf.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        this.on.error(new Error(`upgrade refused: ${status}`));
        return this.terminate();
      }
      this.upgraded = true;
      this.open = true;
      off = end + HEADER_END.length;
      this.on.open();
      if (!this.open) return;
    }
    const len = buf.length;
    while (off < len) {
      if (len - off < 2) return this.keep(buf, off, 2);
      const b0 = buf[off];
      const b1 = buf[off + 1];
      let n = b1 & 0x7f;
      let h = 2;
      if (n === 126) {
        if (len - off < 4) return this.keep(buf, off, 4);
        n = buf.readUInt16BE(off + 2);
        h = 4;
      } else if (n === 127) {
        if (len - off < 10) return this.keep(buf, off, 10);
        n = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
        h = 10;
      }
      if (b1 & 0x80) h += 4; // servers never mask; tolerated, but the payload is then left masked
      if (len - off < h + n) return this.keep(buf, off, h + n);
      const start = off + h;
      off = start + n;
      const opcode = b0 & 0x0f;
      if (!(b0 & 0x80) || opcode === 0) {
        this.on.error(new Error('fragmented WebSocket messages are not supported'));
        return this.terminate();
      }
      if (opcode === 1 || opcode === 2) this.on.message(buf, start, off);
      else if (opcode === 8) {
        this.closeCode = n >= 2 ? buf.readUInt16BE(start) : 1005;
        return this.terminate();
      } else if (opcode === 9) this.pong(buf.subarray(start, off));
      if (!this.open) return;
    }
  }

  /** Keeps a copy of `buf[off..]` until `need` bytes of it are there. */
  private keep(buf: Buffer, off: number, need: number) {
    const rest = Buffer.from(buf.subarray(off));
    this.chunks = [rest];
    this.have = rest.length;
    this.need = need;
  }

  private pong(data: Buffer) {
    const frame = Buffer.allocUnsafe(6 + data.length);
    frame[0] = 0x8a;
    frame[1] = 0x80 | data.length;
    frame.fill(0, 2, 6); // a zero mask: the payload goes as is
    data.copy(frame, 6);
    this.socket.write(frame);
  }
}
