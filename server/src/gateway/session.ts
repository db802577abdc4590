import type { SessionStatus } from '../presence/store.js';
import type { LogEntry, ReplayLog } from './replay-log.js';

/** Discord's default large_threshold (ready.ts clamps what IDENTIFY sends to 50–250). */
const LARGE_THRESHOLD_DEFAULT = 50;

/** Where a session's frames go while it has a live connection. */
export interface SessionSocket {
  sendDispatch(entry: LogEntry, seq: number): void;
  close(code: number, reason: string): void;
}

export interface SessionInit {
  id: string;
  userId: string;
  bot: boolean;
  intents: number | null;
  shard: [number, number] | null;
  status: SessionStatus;
  /** IDENTIFY's large_threshold (clamped to 50–250); default 50. */
  largeThreshold?: number;
  seq?: number;
  cursor?: string;
}

/** A sequence number whose frame cannot be rebuilt and is skipped on replay (numbers jumped on a takeover). */
const GAP = -2;

/**
 * One gateway session: the user, its own dispatch sequence, and which log entries it was sent
 * (for RESUME). It outlives its connection by the resume window and keeps sequencing while
 * disconnected. Frames themselves are not kept: `marks` holds, for each sequence number the
 * client has not acknowledged, the position of its entry in the instance's replay log. Until
 * READY is out, dispatches wait unsequenced in `early`.
 */
export class Session {
  readonly id: string;
  readonly userId: string;
  readonly bot: boolean;
  readonly intents: number | null;
  readonly shard: [number, number] | null;
  status: SessionStatus;
  readonly largeThreshold: number;
  seq: number;
  /** The login (refresh family) of the token that identified or last resumed it; users only. */
  family?: string;
  /** Log id of the last bus event this session was sent (Redis mode). */
  cursor?: string;
  socket: SessionSocket | null = null;
  ready: boolean;
  detachedAt = 0;
  /** Set once the session can no longer be resumed. */
  ended = false;
  /** Sequence number of the last checkpoint written to the session store (Redis mode). */
  checkpointed = 0;
  /** Timers owned by the session (resume window, presence grace). */
  timers: { expire?: NodeJS.Timeout; grace?: NodeJS.Timeout } = {};
  /** marks[i] is the log position of frame `base + 1 + i` (-1: not replayable, GAP: nothing to send). */
  private marks: number[] = [];
  private base: number;
  private early: LogEntry[] = [];

  constructor(
    init: SessionInit,
    private readonly log: ReplayLog,
  ) {
    this.id = init.id;
    this.userId = init.userId;
    this.bot = init.bot;
    this.intents = init.intents;
    this.shard = init.shard;
    this.status = init.status;
    this.largeThreshold = init.largeThreshold ?? LARGE_THRESHOLD_DEFAULT;
    this.seq = init.seq ?? 0;
    this.base = this.seq;
    this.cursor = init.cursor;
    this.ready = this.seq > 0;
  }

  /** Sequence and (if connected) send one logged dispatch; before READY it waits. */
  dispatch(entry: LogEntry): void {
    if (!this.ready) this.early.push(entry);
    else this.dispatchNow(entry);
  }

  /** Sequence and send regardless of READY (READY itself, the GUILD_CREATEs, replays). */
  dispatchNow(entry: LogEntry): void {
    const s = ++this.seq;
    this.marks.push(entry.pos);
    if (entry.cursor) this.cursor = entry.cursor;
    if (this.marks.length % 256 === 0) this.trim();
    this.socket?.sendDispatch(entry, s);
  }

  /** Numbers up to `seq` were used by frames that cannot be rebuilt (a takeover lines up with the client's count). */
  jumpTo(seq: number): void {
    while (this.seq < seq) {
      this.seq++;
      this.marks.push(GAP);
    }
  }

  /** The client confirmed (heartbeat `d`) having frames up to `seq`: it will never ask for them again. */
  ack(seq: number): void {
    if (!Number.isInteger(seq) || seq > this.seq || seq <= this.base) return;
    this.marks.splice(0, seq - this.base);
    this.base = seq;
  }

  /** Forgets marks whose entries fell out of the log: those frames can no longer be replayed anyway. */
  private trim(): void {
    const start = this.log.start;
    let n = 0;
    while (n < this.marks.length && this.marks[n] !== GAP && this.marks[n] < start) n++;
    if (n) {
      this.marks.splice(0, n);
      this.base += n;
    }
  }

  /** After READY and the GUILD_CREATEs: sequence what arrived meanwhile. */
  markReady(): void {
    this.ready = true;
    for (const e of this.early.splice(0)) this.dispatchNow(e);
  }

  /**
   * Entries (with their sequence numbers) after `seq`, or null when they cannot all be rebuilt:
   * the log no longer reaches back that far, they were never logged (READY), or seq is ahead.
   */
  framesAfter(seq: number): Array<[number, LogEntry]> | null {
    if (seq > this.seq || seq < 0) return null;
    if (seq < this.base) return null;
    const out: Array<[number, LogEntry]> = [];
    for (let s = seq + 1; s <= this.seq; s++) {
      const pos = this.marks[s - this.base - 1];
      if (pos === GAP) continue;
      const entry = this.log.get(pos);
      if (!entry) return null;
      out.push([s, entry]);
    }
    return out;
  }

  clearTimers() {
    clearTimeout(this.timers.expire);
    clearTimeout(this.timers.grace);
    this.timers = {};
  }
}
