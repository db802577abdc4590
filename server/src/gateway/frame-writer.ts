import type { Duplex } from 'node:stream';

/**
 * Bytes a connection may hold unsent (in Node, past what the kernel took) before its client
 * counts as too slow and is cut: the session stays resumable and a RESUME replays what it missed.
 * Large enough for a whole op 8 member list of a big guild sent at once.
 */
export const SLOW_CLIENT_BYTES = 64 * 1024 * 1024;

/** Length of the header of an unmasked server frame carrying `n` payload bytes (RFC 6455 §5.2). */
export function wsHeaderLength(n: number): number {
  return n < 126 ? 2 : n < 65_536 ? 4 : 10;
}

/** Writes the header of one unmasked, final text frame of `n` payload bytes at the start of `buf`. */
export function writeWsHeader(buf: Buffer, n: number): void {
  buf[0] = 0x81;
  if (n < 126) buf[1] = n;
  else if (n < 65_536) {
    buf[1] = 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    buf.writeUInt32BE(n >>> 0, 6);
  }
}

/** Writers holding frames until the end of this event-loop turn. */
let dirty: FrameWriter[] = [];
let scheduled = false;

/** Writes every connection's waiting frames now (at the end of the turn). */
export function flushAll(): void {
  scheduled = false;
  const list = dirty;
  dirty = [];
  for (const w of list) {
    w.queued = false;
    w.flush();
  }
}

/**
 * Writes the waiting frames of `userId`'s connections now. The app calls it before an HTTP
 * response goes out, so that the caller's own sessions on this instance have been sent the
 * dispatches its request caused before the request's answer (clients and tests count on that
 * order). Everyone else's frames wait for the end of the turn, where the fan-outs of every
 * request answered in that turn share one write per connection.
 */
export function flushOwn(userId: string): void {
  let kept = 0;
  for (const w of dirty) {
    if (w.owner() === userId) {
      w.queued = false;
      w.flush();
    } else dirty[kept++] = w;
  }
  dirty.length = kept;
}

/**
 * Complete WebSocket frames (header included) for one socket, written straight to it: everything
 * a connection is sent during one event-loop turn goes out in one write (one syscall) after the
 * turn's I/O callbacks, instead of ws's header allocation, cork and two-buffer writev per frame.
 * When the server falls behind, several events land in one turn and share that write. Whoever
 * else writes to the socket (ws: control frames, close) must `flush()` first to keep the order.
 */
export class FrameWriter {
  /** In `dirty`, i.e. a flush is scheduled. */
  queued = false;
  private pending: Buffer[] = [];

  constructor(
    private readonly socket: Duplex,
    /** False once the WebSocket is closing: no data frame may follow a close frame. */
    private readonly canWrite: () => boolean,
    /** Called when the socket holds more than `limit` unsent bytes. */
    private readonly tooSlow: () => void,
    private readonly limit = SLOW_CLIENT_BYTES,
    /** The user whose session this connection carries, once identified. */
    readonly owner: () => string | undefined = () => undefined,
  ) {}

  push(frame: Buffer): void {
    this.pending.push(frame);
    if (this.queued) return;
    this.queued = true;
    dirty.push(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }

  /** Writes what is pending now, in order, in one syscall (several frames: one writev, no copy). */
  flush(): void {
    const frames = this.pending;
    if (!frames.length) return;
    this.pending = [];
    const socket = this.socket;
    if (!this.canWrite() || !socket.writable) return;
    if (frames.length === 1) socket.write(frames[0]);
    else {
      socket.cork();
      for (const f of frames) socket.write(f);
      socket.uncork();
    }
    if (socket.writableLength > this.limit) this.tooSlow();
  }
}
