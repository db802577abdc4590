import { inflateSync } from 'node:zlib';
import { DispatchEvents } from '@retrocast/protocol';
import { Value } from 'typebox/value';
import WebSocket from 'ws';
import type { TestServer, TestUser } from './helper.js';

export interface Frame {
  op: number;
  d: any;
  s: number | null;
  t: string | null;
}

/**
 * A plain `ws` gateway client for tests: records every frame, heartbeats on its own (unless told
 * not to), and checks every dispatch against its schema in protocol/ (an unknown event name or a
 * payload that does not match fails the test that waits for it).
 */
export class GatewayClient {
  readonly frames: Frame[] = [];
  seq = 0;
  sessionId = '';
  closed: Promise<{ code: number; reason: string }>;
  closeCode?: number;
  schemaErrors: string[] = [];
  private waiters: Array<() => void> = [];
  private beat?: NodeJS.Timeout;

  private constructor(
    readonly ws: WebSocket,
    autoHeartbeat: boolean,
  ) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        clearInterval(this.beat);
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as Frame;
      this.frames.push(f);
      if (f.op === 10 && autoHeartbeat)
        this.beat = setInterval(() => this.send(1, this.seq || null), Math.max(20, f.d.heartbeat_interval * 0.5));
      if (f.op === 0) this.check(f);
      if (f.s) this.seq = f.s;
      if (f.t === 'READY') this.sessionId = f.d.session_id;
      this.wake();
    });
  }

  static async connect(server: { url: string }, opts: { query?: string; autoHeartbeat?: boolean } = {}): Promise<GatewayClient> {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/gateway${opts.query ?? '?v=10&encoding=json'}`);
    const client = new GatewayClient(ws, opts.autoHeartbeat ?? true);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  private check(f: Frame) {
    const schema = DispatchEvents[f.t as string];
    if (!schema) this.schemaErrors.push(`no schema for ${f.t}`);
    else if (!Value.Check(schema, f)) this.schemaErrors.push(`${f.t}: ${JSON.stringify([...Value.Errors(schema, f)].slice(0, 3))}`);
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  send(op: number, d: unknown) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op, d }));
  }

  sendRaw(text: string) {
    this.ws.send(text);
  }

  /** First frame from index `from` on that matches; rejects after `ms`. */
  async waitFor(pred: (f: Frame) => boolean, ms = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out waiting for frame; got ${this.frames.map((f) => f.t ?? f.op).join(',')}`);
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  dispatch(t: string, pred: (d: any) => boolean = () => true, ms?: number) {
    return this.waitFor((f) => f.t === t && pred(f.d), ms);
  }

  dispatches(t?: string) {
    return this.frames.filter((f) => f.op === 0 && (!t || f.t === t));
  }

  /** IDENTIFY and wait for READY plus one GUILD_CREATE per guild. */
  async identify(token: string, extra: Record<string, unknown> = {}) {
    await this.waitFor((f) => f.op === 10);
    this.send(2, { token, properties: { os: 'linux', browser: 'test', device: 'test' }, ...extra });
    const ready = await this.dispatch('READY');
    for (const g of ready.d.guilds) await this.dispatch('GUILD_CREATE', (d) => d.id === g.id);
    return ready.d;
  }

  /** Stops heartbeating and drops the connection the way a dead network would (no close frame). */
  drop() {
    clearInterval(this.beat);
    this.ws.terminate();
  }

  close(code = 4000) {
    clearInterval(this.beat);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code);
  }
}

/** Connect and identify in one go. */
export async function connectUser(server: TestServer | { url: string }, user: TestUser, extra: Record<string, unknown> = {}) {
  const c = await GatewayClient.connect(server);
  const ready = await c.identify(user.token, extra);
  return Object.assign(c, { ready });
}

/** Resolves once no frame arrived for `ms` (for "receives nothing" assertions). */
export async function quiet(ms = 300) {
  await new Promise((r) => setTimeout(r, ms));
}

export function inflateFrames(chunks: Buffer[]): string {
  return inflateSync(Buffer.concat(chunks), { finishFlush: 2 }).toString();
}

/** A guild owned by `owner` with `others` joined through an invite; returns it and its #general. */
export async function createGuildWith(server: { url: string }, owner: TestUser, others: TestUser[] = []) {
  const { api } = await import('./helper.js');
  const g = await api(server, 'POST', '/guilds', { token: owner.token, body: { name: 'Gateway Test' } });
  if (g.status !== 201) throw new Error(`create guild: ${g.status} ${JSON.stringify(g.body)}`);
  const general = g.body.channels.find((c: { type: number }) => c.type === 0);
  if (others.length) {
    const inv = await api(server, 'POST', `/channels/${general.id}/invites`, { token: owner.token, body: {} });
    if (inv.status !== 200 && inv.status !== 201) throw new Error(`invite: ${inv.status} ${JSON.stringify(inv.body)}`);
    for (const u of others) {
      const j = await api(server, 'POST', `/invites/${inv.body.code}`, { token: u.token });
      if (j.status !== 200) throw new Error(`join: ${j.status} ${JSON.stringify(j.body)}`);
    }
  }
  return {
    guild: g.body as { id: string; channels: Array<{ id: string; type: number; name: string }> },
    general: general as { id: string },
  };
}
