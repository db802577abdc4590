import { connect, type Socket } from 'node:net';

/**
 * A minimal keep-alive HTTP/1.1 client on a raw TCP socket, for the posting generator only: one
 * request at a time per connection, a response read by its Content-Length, no decoding beyond the
 * status line and headers. node:http's client costs ~0.14 ms of CPU per POST here, on the same two
 * cores as the server it measures (bench/README.md); this costs a fraction of that.
 */
export interface RawResponse {
  status: number;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export class RawHttpConnection {
  private socket: Socket | null = null;
  private chunks: Buffer[] = [];
  private waiting: { resolve: (r: RawResponse) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Sends one complete request (head and body) and resolves with the response. */
  request(bytes: Buffer | string): Promise<RawResponse> {
    if (this.waiting) return Promise.reject(new Error('a request is already in flight on this connection'));
    const socket = (this.socket ??= this.open());
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(bytes);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.parse();
    });
    const gone = (err?: Error) => {
      if (this.socket !== socket) return; // an old socket's late events
      this.socket = null;
      this.chunks = [];
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err ?? new Error('connection closed'));
    };
    socket.on('error', gone);
    socket.on('close', () => gone());
    return socket;
  }

  /** Completes the waiting request once its whole response is here. */
  private parse(): void {
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [buf];
    const headEnd = buf.indexOf(HEAD_END);
    if (headEnd < 0) return;
    const head = buf.toString('latin1', 0, headEnd);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) {
      this.fail(new Error(`response without Content-Length: ${head.slice(0, 200)}`));
      return;
    }
    const end = headEnd + 4 + Number(m[1]);
    if (buf.length < end) return;
    if (buf.length > end) {
      this.fail(new Error('bytes after the response (no request was pipelined)'));
      return;
    }
    this.chunks = [];
    const w = this.waiting;
    this.waiting = null;
    w?.resolve({ status: Number(head.slice(9, 12)), body: buf.subarray(headEnd + 4, end) });
  }

  private fail(err: Error): void {
    const w = this.waiting;
    this.waiting = null;
    this.close();
    w?.reject(err);
  }
}

/** A JSON POST request's bytes. */
export function jsonPost(host: string, path: string, token: string, body: unknown): Buffer {
  const payload = JSON.stringify(body);
  return Buffer.from(
    `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
}

/** Connections for requests in flight: an idle one is reused, otherwise a new one is opened. */
export class RawHttpPool {
  private readonly idle: RawHttpConnection[] = [];
  private readonly all: RawHttpConnection[] = [];
  readonly host: string;
  private readonly hostname: string;
  private readonly port: number;

  constructor(base: string) {
    const u = new URL(base);
    this.host = u.host;
    this.hostname = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
  }

  async request(bytes: Buffer | string): Promise<RawResponse> {
    let c = this.idle.pop();
    if (!c) {
      c = new RawHttpConnection(this.hostname, this.port);
      this.all.push(c);
    }
    try {
      return await c.request(bytes);
    } finally {
      this.idle.push(c);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
  }
}
