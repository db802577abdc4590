import { absoluteUrls } from '../http/discord-compat.js';
import { writeWsHeader, wsHeaderLength } from './frame-writer.js';

/**
 * One dispatch as this instance sent it: the name, the payload's JSON (shared by every session it
 * went to) and, for bus events, the event's log id. Sessions refer to entries by `pos`.
 */
export interface LogEntry {
  /** Position in the instance's log; -1 for frames kept nowhere (READY, the identify GUILD_CREATEs). */
  readonly pos: number;
  readonly at: number;
  readonly t: string;
  readonly d: string;
  /** Log id of the bus event this frame came from (Redis mode). */
  readonly cursor?: string;
  /** Encoded `,"d":…}` per HTTP base while one fan-out writes the entry (dropped afterwards). */
  wire?: Map<string, Buffer>;
}

const heads = new Map<string, Buffer>();

/** `{"op":0,"t":"T","s":` — the part of a dispatch frame before its sequence number, one per name. */
function headOf(t: string): Buffer {
  let h = heads.get(t);
  if (!h) {
    h = Buffer.from(`{"op":0,"t":"${t}","s":`);
    heads.set(t, h);
  }
  return h;
}

/** `,"d":<payload>}` with attachment URLs made absolute for `base`; cached on the entry during a fan-out. */
function tailOf(entry: LogEntry, base: string): Buffer {
  let tail = entry.wire?.get(base);
  if (!tail) {
    tail = Buffer.from(`,"d":${absoluteUrls(entry.d, base)}}`);
    if (!entry.wire) entry.wire = new Map();
    entry.wire.set(base, tail);
  }
  return tail;
}

/**
 * The bytes of one dispatch frame for one session: the shared head and tail with `seq` spliced
 * in between, behind a WebSocket frame header when `framed`. One allocation and two copies; the
 * payload is never re-stringified or re-encoded.
 */
export function frameBytes(entry: LogEntry, seq: number, base: string, framed = false): Buffer {
  const head = headOf(entry.t);
  const tail = tailOf(entry, base);
  const digits = String(seq);
  const n = head.length + digits.length + tail.length;
  const at = framed ? wsHeaderLength(n) : 0;
  const buf = Buffer.allocUnsafe(at + n);
  if (framed) writeWsHeader(buf, n);
  head.copy(buf, at);
  buf.write(digits, at + head.length, 'latin1');
  tail.copy(buf, at + head.length + digits.length);
  return buf;
}

/**
 * The instance's replay log: every dispatch it sent, once, for as long as a client may still
 * RESUME and ask for it (the resume window plus the heartbeat slack). Sessions keep only the
 * positions of their frames; a RESUME rebuilds the frames from here.
 */
export class ReplayLog {
  private entries: LogEntry[] = [];
  /** `pos` of entries[0]. */
  private first = 0;

  constructor(private readonly retentionMs: number) {}

  /** Adds a dispatch; entries older than the retention fall off the front. */
  append(t: string, d: string, cursor?: string): LogEntry {
    const now = Date.now();
    this.evict(now);
    const entry: LogEntry = { pos: this.first + this.entries.length, at: now, t, d, cursor };
    this.entries.push(entry);
    return entry;
  }

  /** A frame that is sent but never replayed (READY, GUILD_CREATE at IDENTIFY). */
  transient(t: string, d: string): LogEntry {
    return { pos: -1, at: Date.now(), t, d };
  }

  /** The entry at `pos`, or undefined once it fell out of the log (or was never in it). */
  get(pos: number): LogEntry | undefined {
    return pos < this.first ? undefined : this.entries[pos - this.first];
  }

  /** Oldest position still held. */
  get start(): number {
    return this.first;
  }

  get size(): number {
    return this.entries.length;
  }

  private evict(now: number) {
    let n = 0;
    while (n < this.entries.length && now - this.entries[n].at > this.retentionMs) n++;
    // Splicing one entry at a time would be quadratic under load: drop in batches.
    if (n >= 64 || (n > 0 && n === this.entries.length)) {
      this.entries = this.entries.slice(n);
      this.first += n;
    }
  }
}
