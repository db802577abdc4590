import type { Duplex } from 'node:stream';
import { createDeflate, type Deflate, constants as zc } from 'node:zlib';
import { ALL_INTENTS, GatewayCloseCodes as C, GatewayOpcodes as Op, PRESENCE_STATUSES } from '@retrocast/protocol';
import type WebSocket from 'ws';
import { authenticate } from '../auth/service.js';
import type { Caller } from '../context.js';
import { absoluteUrls, parseDiscordJson } from '../http/discord-compat.js';
import { sanitizeActivities } from '../presence/service.js';
import type { SessionStatus } from '../presence/store.js';
import { getOpcodeHandler } from './extensions.js';
import { FrameWriter, SLOW_CLIENT_BYTES } from './frame-writer.js';
import { requestGuildMembers } from './members.js';
import { LARGE_THRESHOLD } from './ready.js';
import { frameBytes, type LogEntry } from './replay-log.js';
import type { Session } from './session.js';
import type { GatewayForConnections, GatewaySocket } from './types.js';

/** Discord's limit: 120 payloads per 60 s per connection, then close 4008. */
export const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;

type Payload = { op: number; d?: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** IDENTIFY/RESUME tokens: "Bot x", "Bearer x", a bare JWT (user) or a bare bot token. */
function authHeader(token: string): string {
  if (/^(Bot|Bearer) /.test(token)) return token;
  return token.startsWith('eyJ') && token.split('.').length === 3 ? `Bearer ${token}` : `Bot ${token}`;
}

/**
 * One WebSocket: HELLO, heartbeats, the payload rate limit, opcode handling and close codes. The
 * session (sequence, replay buffer, routing) lives in Session/Gateway and survives the socket.
 */
export class Connection implements GatewaySocket {
  session: Session | null = null;
  private busy = false;
  private lastBeat = Date.now();
  private beatTimer: NodeJS.Timeout;
  private windowStart = 0;
  private windowCount = 0;
  private deflate?: Deflate;
  /** Plain connections (no zlib-stream, no WebSocket extension): dispatches go straight to the socket. */
  private writer?: FrameWriter;
  private closed = false;
  /** Closes a socket that never identifies; then, once identified, fires when the access token expires. */
  private authTimer?: NodeJS.Timeout;
  /** Closed because the token expired: the session stays resumable with a fresh token. */
  private expired = false;
  /** http(s)://host of this connection, for absolute attachment URLs. */
  private readonly httpBase: string;

  constructor(
    private readonly gw: GatewayForConnections,
    private readonly ws: WebSocket,
    private readonly gatewayUrl: string,
    compress: boolean,
    /** The upgraded socket `ws` runs on; without it every frame goes through `ws.send`. */
    socket?: Duplex,
  ) {
    this.httpBase = gatewayUrl.replace(/^ws/, 'http').replace(/\/gateway\/?$/, '');
    const interval = gw.ctx.config.heartbeatIntervalMs;
    if (compress) this.startDeflate();
    else if (socket && ws.extensions === '') {
      this.writer = new FrameWriter(
        socket,
        () => this.ws.readyState === this.ws.OPEN,
        () => this.tooSlow(),
        SLOW_CLIENT_BYTES,
        () => this.session?.userId,
      );
    }
    ws.on('message', (data, isBinary) => void this.onMessage(data as Buffer, isBinary).catch((err) => this.fail(err)));
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', () => {});
    this.beatTimer = setInterval(
      () => {
        if (Date.now() - this.lastBeat > interval * 1.5 + 250) this.close(C.SESSION_TIMED_OUT, 'Session timed out.');
      },
      Math.max(50, Math.min(interval / 2, 5_000)),
    );
    gw.connections.add(this);
    this.authTimer = setTimeout(() => {
      if (!this.session) this.close(C.NOT_AUTHENTICATED, 'Not authenticated: no IDENTIFY or RESUME in time.');
    }, gw.ctx.config.identifyTimeoutMs);
    this.sendOp(Op.HELLO, { heartbeat_interval: interval });
  }

  /**
   * A user's access token expires (bots' tokens do not): close with 4004 then. The session stays
   * resumable, so a client that refreshes its token RESUMEs and misses nothing; a client whose login
   * ended cannot refresh and is out.
   */
  private armExpiry(exp: number | undefined) {
    clearTimeout(this.authTimer);
    if (exp === undefined || !this.session) return;
    const ms = Math.min(Math.max(0, exp * 1000 - Date.now()), 2 ** 31 - 1);
    this.authTimer = setTimeout(() => {
      this.expired = true;
      this.close(C.AUTHENTICATION_FAILED, 'Authentication expired.');
    }, ms);
  }

  get open() {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** zlib-stream: one deflate context for the whole connection, each message ending in a sync flush. */
  private startDeflate() {
    const deflate = createDeflate({ flush: zc.Z_SYNC_FLUSH });
    deflate.on('data', (chunk: Buffer) => {
      if (this.open) this.ws.send(chunk);
    });
    this.deflate = deflate;
  }

  sendFrame(raw: string) {
    if (!this.open) return;
    const frame = absoluteUrls(raw, this.httpBase);
    if (this.deflate) this.deflate.write(frame);
    else {
      // Dispatches still waiting for the end of the turn go first.
      this.writer?.flush();
      this.ws.send(frame);
    }
  }

  /**
   * A dispatch: the entry's shared bytes with this session's `s` spliced in. Plain connections get
   * the whole WebSocket frame built in the same buffer and written with whatever else this turn
   * sends them; zlib-stream deflates the payload bytes.
   */
  sendDispatch(entry: LogEntry, seq: number) {
    if (!this.open) return;
    if (this.writer) this.writer.push(frameBytes(entry, seq, this.httpBase, true));
    else if (this.deflate) this.deflate.write(frameBytes(entry, seq, this.httpBase));
    else this.ws.send(frameBytes(entry, seq, this.httpBase), { binary: false });
  }

  /** The client reads far slower than it is sent to: drop the connection (the session stays resumable). */
  private tooSlow() {
    this.gw.ctx.log.warn({ session: this.session?.id }, 'gateway client too slow, connection dropped');
    this.closed = true;
    this.ws.terminate();
  }

  sendOp(op: number, d: unknown) {
    this.sendFrame(JSON.stringify({ op, d, s: null, t: null }));
  }

  close(code: number, reason: string) {
    if (this.closed) return;
    this.closed = true;
    this.writer?.flush();
    const finish = () => this.ws.close(code, reason);
    if (this.deflate) this.deflate.flush(finish);
    else finish();
  }

  /** op 9: the session cannot be resumed; the client must IDENTIFY again. */
  invalidSession() {
    this.sendOp(Op.INVALID_SESSION, false);
  }

  /** Shutdown: op 7, then a resumable close. */
  reconnect() {
    this.sendOp(Op.RECONNECT, null);
    this.close(C.UNKNOWN_ERROR, 'Reconnect.');
  }

  /** The session moved to another connection: close this one without ending the session. */
  release() {
    this.session = null;
    this.close(C.UNKNOWN_ERROR, 'Session resumed elsewhere.');
  }

  private fail(err: unknown) {
    this.gw.ctx.log.error({ err }, 'gateway payload failed');
    this.close(C.UNKNOWN_ERROR, 'Unknown error.');
  }

  private onClose(code: number) {
    this.closed = true;
    clearInterval(this.beatTimer);
    clearTimeout(this.authTimer);
    this.deflate?.destroy();
    this.gw.connections.delete(this);
    const s = this.session;
    this.session = null;
    if (s && s.socket === this) this.gw.detach(s, this.expired ? C.UNKNOWN_ERROR : code);
  }

  private rateLimited(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= SEND_WINDOW_MS) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    return ++this.windowCount > SEND_LIMIT;
  }

  private async onMessage(data: Buffer, _isBinary: boolean) {
    if (this.closed) return;
    if (this.rateLimited()) return this.close(C.RATE_LIMITED, 'You are being rate limited.');
    let p: unknown;
    try {
      p = parseDiscordJson(data.toString('utf8'));
    } catch {
      return this.close(C.DECODE_ERROR, 'Error while decoding payload.');
    }
    if (!isObject(p) || !Number.isInteger(p.op)) return this.close(C.DECODE_ERROR, 'Error while decoding payload.');
    await this.handle(p as Payload);
  }

  private async handle({ op, d }: Payload) {
    switch (op) {
      case Op.HEARTBEAT:
        this.lastBeat = Date.now();
        if (typeof d === 'number') this.session?.ack(d);
        return this.sendOp(Op.HEARTBEAT_ACK, null);
      case Op.IDENTIFY:
        return this.identify(d);
      case Op.RESUME:
        return this.resume(d);
    }
    const extension = getOpcodeHandler(op);
    const known = op === Op.PRESENCE_UPDATE || op === Op.REQUEST_GUILD_MEMBERS || !!extension;
    if (!known) return this.close(C.UNKNOWN_OPCODE, 'Unknown opcode.');
    const s = this.session;
    if (!s) return this.close(C.NOT_AUTHENTICATED, 'Not authenticated.');
    if (op === Op.PRESENCE_UPDATE) {
      const status = isObject(d) ? d.status : undefined;
      if (typeof status !== 'string' || !PRESENCE_STATUSES.includes(status as SessionStatus))
        return this.close(C.DECODE_ERROR, 'Invalid status.');
      const list = isObject(d) ? presenceActivities(d) : undefined;
      const activities = list ? sanitizeActivities(list) : undefined;
      return this.gw.setStatus(s, (status === 'offline' ? 'invisible' : status) as SessionStatus, activities);
    }
    if (op === Op.REQUEST_GUILD_MEMBERS) {
      if (!(await requestGuildMembers(this.gw, s, d))) this.close(C.DECODE_ERROR, 'Invalid REQUEST_GUILD_MEMBERS.');
      return;
    }
    await extension?.(
      this.gw.ctx,
      {
        sessionId: s.id,
        userId: s.userId,
        origin: new URL(this.gatewayUrl).origin,
        dispatch: (t, data) => this.gw.sendTo(s, t, JSON.stringify(data ?? null)),
        close: (c, r) => this.close(c, r),
      },
      d,
    );
  }

  private async login(d: Record<string, unknown>): Promise<Caller | null> {
    if (typeof d.token !== 'string' || !d.token) return null;
    return authenticate(this.gw.ctx, authHeader(d.token));
  }

  private async identify(d: unknown) {
    if (this.session || this.busy) return this.close(C.ALREADY_AUTHENTICATED, 'You sent more than one identify payload.');
    if (!isObject(d) || typeof d.token !== 'string') return this.close(C.DECODE_ERROR, 'Invalid IDENTIFY payload.');
    const intents = d.intents ?? null;
    // Bitwise operators see 32 bits: anything at or above 2^32 is refused before they would wrap it.
    const badIntents = !Number.isInteger(intents) || (intents as number) < 0 || (intents as number) >= 2 ** 32;
    if (intents !== null && (badIntents || ((intents as number) & ~ALL_INTENTS) !== 0)) {
      return this.close(C.INVALID_INTENTS, 'Invalid intent(s).');
    }
    const shard = d.shard ?? null;
    if (shard !== null && !validShard(shard)) return this.close(C.INVALID_SHARD, 'Invalid shard.');
    const largeThreshold = parseLargeThreshold(d.large_threshold);
    if (largeThreshold === null) return this.close(C.DECODE_ERROR, 'Invalid large_threshold.');
    const presence = isObject(d.presence) ? d.presence : {};
    const wanted =
      typeof presence.status === 'string' && PRESENCE_STATUSES.includes(presence.status as SessionStatus) ? presence.status : 'online';
    this.busy = true;
    try {
      const who = await this.login(d);
      if (!who) return this.close(C.AUTHENTICATION_FAILED, 'Authentication failed.');
      if (!this.open) return;
      // Discord's session start limit: max_concurrency IDENTIFYs per 5 s per account, else op 9.
      if (!(await identifyAllowed(this.gw.ctx, who.id))) return this.invalidSession();
      const status = (wanted === 'offline' ? 'invisible' : wanted) as SessionStatus;
      await this.gw.identify(
        this,
        who,
        {
          intents: intents as number | null,
          shard: shard as [number, number] | null,
          status,
          largeThreshold,
          activities: sanitizeActivities(presenceActivities(presence)),
        },
        this.gatewayUrl,
      );
      this.armExpiry(who.exp);
    } finally {
      this.busy = false;
    }
  }

  private async resume(d: unknown) {
    if (this.session || this.busy) return this.close(C.ALREADY_AUTHENTICATED, 'Already authenticated.');
    if (
      !isObject(d) ||
      typeof d.token !== 'string' ||
      typeof d.session_id !== 'string' ||
      !Number.isInteger(d.seq) ||
      (d.seq as number) < 0
    ) {
      return this.close(C.DECODE_ERROR, 'Invalid RESUME payload.');
    }
    this.busy = true;
    try {
      const who = await this.login(d);
      if (!who) return this.close(C.AUTHENTICATION_FAILED, 'Authentication failed.');
      if (!this.open) return;
      await this.gw.resume(this, who, d.session_id, d.seq as number);
      this.armExpiry(who.exp);
    } finally {
      this.busy = false;
    }
  }
}

/** IDENTIFYs per account per 5 s (`IDENTIFY_MAX_CONCURRENCY`, reported as max_concurrency by /gateway/bot). */
async function identifyAllowed(ctx: import('../context.js').AppContext, userId: string): Promise<boolean> {
  if (ctx.config.rateLimitDisabled) return true;
  const hit = await ctx.rateLimits.hit(`gw-identify:${userId}`, 5_000);
  return hit.count <= ctx.config.identifyMaxConcurrency;
}

/** IDENTIFY's large_threshold: absent → 50; an integer is clamped to 50–250; anything else is malformed (null). */
function parseLargeThreshold(v: unknown): number | null {
  if (v === undefined || v === null) return LARGE_THRESHOLD.default;
  if (!Number.isInteger(v)) return null;
  return Math.min(LARGE_THRESHOLD.max, Math.max(LARGE_THRESHOLD.min, v as number));
}

function validShard(v: unknown): v is [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !v.every(Number.isInteger)) return false;
  const [id, count] = v as number[];
  return count >= 1 && count <= 64 && id >= 0 && id < count;
}

/** `activities`, or the single legacy `game` that discord.py still sends in IDENTIFY; undefined: neither. */
function presenceActivities(p: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(p.activities)) return p.activities;
  if (isObject(p.game)) return [p.game];
  return undefined;
}
