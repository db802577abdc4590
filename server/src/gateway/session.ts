import type { SessionStatus } from '../presence/store.js';

/** Most frames a session keeps for RESUME; a client further behind must IDENTIFY again. */
export const REPLAY_LIMIT = 2000;

/** Where a session's frames go while it has a live connection. */
export interface SessionSocket {
  sendFrame(frame: string): void;
  close(code: number, reason: string): void;
}

/** Persists every sequenced frame (Redis mode), so another instance can resume the session. */
export type FrameSink = (session: Session, seq: number, frame: string, cursor: string | undefined) => void;

export interface SessionInit {
  id: string;
  userId: string;
  bot: boolean;
  intents: number | null;
  shard: [number, number] | null;
  status: SessionStatus;
  seq?: number;
  buffer?: Array<[number, string]>;
  cursor?: string;
}

/**
 * One gateway session: the user, its own dispatch sequence, and the frames it was sent (for
 * RESUME). It outlives its connection by the resume window and keeps sequencing and buffering
 * frames while disconnected. Until READY is out, dispatches wait unsequenced in `early`.
 */
export class Session {
  readonly id: string;
  readonly userId: string;
  readonly bot: boolean;
  readonly intents: number | null;
  readonly shard: [number, number] | null;
  status: SessionStatus;
  seq: number;
  /** The login (refresh family) of the token that identified or last resumed it; users only. */
  family?: string;
  /** Log id of the last bus event whose frames this session has (Redis mode). */
  cursor?: string;
  socket: SessionSocket | null = null;
  ready: boolean;
  detachedAt = 0;
  /** Set once the session can no longer be resumed. */
  ended = false;
  /** Timers owned by the session (resume window, presence grace). */
  timers: { expire?: NodeJS.Timeout; grace?: NodeJS.Timeout } = {};
  /**
   * Replay entries `[seq, t, dJson]`. `dJson` is the one string shared by every session the event
   * went to, so a thousand sessions buffering an event cost one copy of it; frames are rebuilt on
   * replay. Entries restored from Redis hold the whole frame in `dJson` with `t` empty.
   */
  private buffer: Array<[number, string, string]>;
  private early: Array<[string, string, string | undefined]> = [];

  constructor(
    init: SessionInit,
    private readonly sink?: FrameSink,
  ) {
    this.id = init.id;
    this.userId = init.userId;
    this.bot = init.bot;
    this.intents = init.intents;
    this.shard = init.shard;
    this.status = init.status;
    this.seq = init.seq ?? 0;
    this.buffer = (init.buffer ?? []).map(([s, frame]) => [s, '', frame]);
    this.cursor = init.cursor;
    this.ready = this.seq > 0;
  }

  /** Sequence, buffer, persist and (if connected) send one dispatch. `d` is already JSON. */
  dispatch(t: string, dJson: string, cursor?: string): void {
    if (!this.ready) this.early.push([t, dJson, cursor]);
    else this.dispatchNow(t, dJson, cursor);
  }

  /** Sequence and send regardless of READY (READY itself, the GUILD_CREATEs, replays). */
  dispatchNow(t: string, dJson: string, cursor?: string): void {
    const s = ++this.seq;
    const frame = `{"op":0,"t":"${t}","s":${s},"d":${dJson}}`;
    this.buffer.push([s, t, dJson]);
    if (this.buffer.length > REPLAY_LIMIT) this.buffer.splice(0, this.buffer.length - REPLAY_LIMIT);
    if (cursor) this.cursor = cursor;
    this.sink?.(this, s, frame, cursor);
    this.socket?.sendFrame(frame);
  }

  /** The client confirmed (heartbeat `d`) having frames up to `seq`: it will never ask for them again. */
  ack(seq: number): void {
    if (!Number.isInteger(seq) || seq > this.seq) return;
    let drop = 0;
    while (drop < this.buffer.length && this.buffer[drop][0] <= seq) drop++;
    if (drop) this.buffer.splice(0, drop);
  }

  /** After READY and the GUILD_CREATEs: sequence what arrived meanwhile. */
  markReady(): void {
    this.ready = true;
    for (const [t, d, c] of this.early.splice(0)) this.dispatchNow(t, d, c);
  }

  /** Frames after `seq`, or null when the buffer no longer reaches back that far (or seq is ahead). */
  framesAfter(seq: number): string[] | null {
    if (seq > this.seq || seq < 0) return null;
    if (seq === this.seq) return [];
    const first = this.buffer[0]?.[0];
    // Frames the client acknowledged may be gone; a client cannot be behind its own heartbeat.
    if (first === undefined || first > seq + 1) return null;
    return this.buffer.filter(([s]) => s > seq).map(([s, t, d]) => (t ? `{"op":0,"t":"${t}","s":${s},"d":${d}}` : d));
  }

  clearTimers() {
    clearTimeout(this.timers.expire);
    clearTimeout(this.timers.grace);
    this.timers = {};
  }
}
