/**
 * The gateway connection (Discord v10 JSON): HELLO → IDENTIFY or RESUME → dispatches, with
 * heartbeats, zombie detection (no ACK before the next beat), and reconnect with backoff.
 * Dispatches go to `onDispatch` in sequence order; READY means "reset your state", RESUMED means
 * the missed events were replayed and the state is whole again.
 */
export const Op = {
  DISPATCH: 0,
  HEARTBEAT: 1,
  IDENTIFY: 2,
  PRESENCE_UPDATE: 3,
  RESUME: 6,
  RECONNECT: 7,
  REQUEST_GUILD_MEMBERS: 8,
  INVALID_SESSION: 9,
  HELLO: 10,
  HEARTBEAT_ACK: 11,
} as const;

export interface Dispatch {
  t: string;
  d: any;
}

/** Close codes after which reconnecting cannot help (auth problems get one token refresh first). */
const FATAL = new Set([4010, 4011, 4012, 4013, 4014]);
const AUTH_FAILED = 4004;

export type GatewayStatus = 'connecting' | 'ready' | 'reconnecting' | 'offline' | 'closed';

export interface GatewayOptions {
  url: string;
  getToken: () => string | undefined;
  /** Get a fresh access token (after close 4004); null means the login is gone. */
  refreshToken: () => Promise<string | null>;
  onDispatch: (d: Dispatch) => void;
  onStatus?: (s: GatewayStatus) => void;
  presence?: () => { status: string } | undefined;
}

export class Gateway {
  private ws: WebSocket | null = null;
  private seq: number | null = null;
  private sessionId: string | null = null;
  private resumeUrl: string | null = null;
  private beat: ReturnType<typeof setInterval> | null = null;
  private firstBeat: ReturnType<typeof setTimeout> | null = null;
  private acked = true;
  private attempts = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private opts: GatewayOptions) {}

  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes for good (logout). */
  stop() {
    this.stopped = true;
    this.sessionId = null;
    this.teardown(1000);
    this.opts.onStatus?.('closed');
  }

  /** Drops the socket and reconnects now, resuming the session (e.g. the browser came back online). */
  reconnect() {
    if (this.stopped) return;
    this.teardown(4000);
    this.attempts = 0;
    this.open();
  }

  /** Sends a gateway payload if the socket is open. */
  send(op: number, d: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  setPresence(status: string) {
    this.send(Op.PRESENCE_UPDATE, { since: null, activities: [], status, afk: false });
  }

  private open() {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.opts.onStatus?.(this.sessionId ? 'reconnecting' : 'connecting');
    const base = this.sessionId && this.resumeUrl ? this.resumeUrl : this.opts.url;
    const url = `${base}${base.includes('?') ? '&' : '?'}v=10&encoding=json`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (ev) => this.receive(JSON.parse(ev.data as string));
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearBeat();
      void this.closed(ev.code);
    };
  }

  private async closed(code: number) {
    if (this.stopped) return;
    if (FATAL.has(code)) {
      this.opts.onStatus?.('closed');
      return;
    }
    if (code === AUTH_FAILED) {
      // The access token expired (or the login ended): with a fresh token, try to RESUME; a session
      // that was ended answers op 9 and we IDENTIFY. No fresh token: logged out.
      const t = await this.opts.refreshToken();
      if (!t) return this.opts.onStatus?.('closed');
    }
    this.opts.onStatus?.(navigator.onLine === false ? 'offline' : 'reconnecting');
    const delay = Math.min(10_000, 250 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
    this.attempts++;
    this.retry = setTimeout(() => this.open(), this.attempts === 1 ? 100 : delay);
  }

  private receive(p: { op: number; d: any; s?: number | null; t?: string | null }) {
    if (p.s != null) this.seq = p.s;
    switch (p.op) {
      case Op.HELLO:
        this.startBeat(p.d.heartbeat_interval);
        this.hello();
        break;
      case Op.HEARTBEAT_ACK:
        this.acked = true;
        break;
      case Op.HEARTBEAT:
        this.send(Op.HEARTBEAT, this.seq);
        break;
      case Op.RECONNECT:
        this.reconnect();
        break;
      case Op.INVALID_SESSION:
        if (!p.d) {
          this.sessionId = null;
          this.seq = null;
        }
        setTimeout(() => this.hello(), 1000 + Math.random() * 1000);
        break;
      case Op.DISPATCH:
        if (p.t === 'READY') {
          this.sessionId = p.d.session_id;
          this.resumeUrl = p.d.resume_gateway_url ?? null;
          this.attempts = 0;
        }
        if (p.t === 'RESUMED') this.attempts = 0;
        if (p.t === 'READY' || p.t === 'RESUMED') this.opts.onStatus?.('ready');
        if (p.t) this.opts.onDispatch({ t: p.t, d: p.d });
        break;
    }
  }

  private hello() {
    const token = this.opts.getToken();
    if (!token) return this.teardown(1000);
    if (this.sessionId) {
      this.send(Op.RESUME, { token, session_id: this.sessionId, seq: this.seq });
    } else {
      this.seq = null;
      this.send(Op.IDENTIFY, {
        token,
        // No intents: Retrocast sends everything the user may see (Discord requires them; we don't).
        properties: { os: navigator.platform || 'web', browser: 'retrocast-web', device: 'retrocast-web' },
        presence: { status: this.opts.presence?.()?.status ?? 'online', since: null, activities: [], afk: false },
      });
    }
  }

  private startBeat(interval: number) {
    this.clearBeat();
    this.acked = true;
    const beat = () => {
      // Discord's zombie rule: no ACK since the last beat means the link is dead.
      if (!this.acked) return this.reconnect();
      this.acked = false;
      this.send(Op.HEARTBEAT, this.seq);
    };
    this.firstBeat = setTimeout(beat, interval * Math.random());
    this.beat = setInterval(beat, interval);
  }

  private clearBeat() {
    if (this.beat) clearInterval(this.beat);
    if (this.firstBeat) clearTimeout(this.firstBeat);
    this.beat = this.firstBeat = null;
  }

  private teardown(code: number) {
    const ws = this.ws;
    this.ws = null;
    this.clearBeat();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (ws) {
      ws.onmessage = ws.onclose = null;
      try {
        ws.close(code);
      } catch {
        /* already closing */
      }
    }
  }
}
