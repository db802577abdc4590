import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Histogram, mergeEncoded } from '../histogram.js';
import type { ConnectResult, GatewayCommand, GatewayReport, PostCommand, PostReport } from './messages.js';

/** Child processes run the TypeScript sources through tsx, like the orchestrator. */
function spawnWorker(file: string): ChildProcess {
  const path = fileURLToPath(new URL(file, import.meta.url));
  return fork(path, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Sends one command and waits for the child's next message of `type`, bounded by `timeoutMs`. */
function ask<T>(child: ChildProcess, cmd: unknown, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`worker ${child.pid}: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (msg: { type: string }) => msg.type === type && finish(undefined, msg as T);
    const onExit = (code: number) => finish(new Error(`worker ${child.pid} exited (${code})`));
    function finish(err?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      err ? reject(err) : resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(cmd as object);
  });
}

function split<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  for (const [i, item] of items.entries()) out[i % parts].push(item);
  return out;
}

export interface FleetConnect {
  ok: number;
  failed: number;
  firstError?: string;
  ready: Histogram;
  guildCreate: Histogram;
  elapsedMs: number;
}

export interface FleetReport {
  latency: Histogram;
  received: number;
  minPerSession: number;
  maxPerSession: number;
  open: number;
  closedUnexpectedly: number;
  lastCloseCode?: number;
}

/** Gateway sessions spread over several child processes. */
export class GatewayFleet {
  readonly children: ChildProcess[];

  constructor(workers: number) {
    this.children = Array.from({ length: workers }, () => spawnWorker('./gateway-worker.ts'));
  }

  pids = () => this.children.map((c) => c.pid as number);

  /** Opens one session per token (tokens may repeat: several sessions of one user). */
  async connect(
    url: string,
    tokens: string[],
    opts: { concurrency?: number; intents?: number; timeoutMs?: number } = {},
  ): Promise<FleetConnect> {
    const started = performance.now();
    const parts = split(tokens, this.children.length);
    const perWorker = Math.max(1, Math.ceil((opts.concurrency ?? 32) / this.children.length));
    const results = await Promise.all(
      this.children.map((c, i) => {
        const cmd: GatewayCommand = {
          type: 'connect',
          url,
          tokens: parts[i],
          concurrency: perWorker,
          // GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT
          intents: opts.intents ?? (1 << 0) | (1 << 9) | (1 << 15),
          timeoutMs: opts.timeoutMs ?? 60_000,
        };
        return ask<ConnectResult>(c, cmd, 'connected', 15 * 60_000);
      }),
    );
    return {
      ok: results.reduce((a, r) => a + r.ok, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
      ready: mergeEncoded(results.map((r) => r.ready)),
      guildCreate: mergeEncoded(results.map((r) => r.guildCreate)),
      elapsedMs: performance.now() - started,
    };
  }

  /** Counts only messages stamped with `tag` from now on. */
  async reset(tag: string) {
    await Promise.all(this.children.map((c) => ask(c, { type: 'reset', tag }, 'reset', 30_000)));
  }

  async report(): Promise<FleetReport> {
    const rs = await Promise.all(this.children.map((c) => ask<GatewayReport>(c, { type: 'report' }, 'report', 60_000)));
    const withSessions = rs.filter((r) => r.open > 0);
    return {
      latency: mergeEncoded(rs.map((r) => r.latency)),
      received: rs.reduce((a, r) => a + r.received, 0),
      minPerSession: withSessions.length ? Math.min(...withSessions.map((r) => r.minPerSession)) : 0,
      maxPerSession: withSessions.length ? Math.max(...withSessions.map((r) => r.maxPerSession)) : 0,
      open: rs.reduce((a, r) => a + r.open, 0),
      closedUnexpectedly: rs.reduce((a, r) => a + r.closedUnexpectedly, 0),
      lastCloseCode: rs.find((r) => r.lastCloseCode)?.lastCloseCode,
    };
  }

  close() {
    for (const c of this.children) if (c.connected) c.send({ type: 'close' });
  }
}

export type PostJob = PostCommand extends infer C ? (C extends PostCommand ? Omit<C, 'type'> : never) : never;

export interface PostersResult {
  ok: number;
  errors: number;
  firstError?: string;
  latency: Histogram;
  maxLagMs: number;
  elapsedMs: number;
}

/** REST authors spread over child processes. */
export class Posters {
  readonly children: ChildProcess[];

  constructor(workers: number) {
    this.children = Array.from({ length: workers }, () => spawnWorker('./post-worker.ts'));
  }

  pids = () => this.children.map((c) => c.pid as number);

  /** Splits authors and rate (or concurrency) evenly over the workers and runs them for durationMs. */
  async run(cmd: PostJob): Promise<PostersResult> {
    const n = this.children.length;
    const tokens = split(cmd.tokens, n).map((t, i) => (t.length ? t : [cmd.tokens[i % cmd.tokens.length]]));
    const rs = await Promise.all(
      this.children.map((c, i) => {
        const load =
          cmd.mode === 'rate'
            ? { mode: 'rate' as const, perSecond: cmd.perSecond / n }
            : { mode: 'closed' as const, concurrency: Math.max(1, Math.round(cmd.concurrency / n)) };
        const msg: PostCommand = { ...cmd, ...load, type: 'post', tokens: tokens[i] };
        return ask<PostReport>(c, msg, 'posted', cmd.durationMs + 120_000);
      }),
    );
    return {
      ok: rs.reduce((a, r) => a + r.ok, 0),
      errors: rs.reduce((a, r) => a + r.errors, 0),
      firstError: rs.find((r) => r.firstError)?.firstError,
      latency: mergeEncoded(rs.map((r) => r.latency)),
      maxLagMs: Math.max(...rs.map((r) => r.maxLagMs)),
      elapsedMs: Math.max(...rs.map((r) => r.elapsedMs)),
    };
  }

  close() {
    for (const c of this.children) if (c.connected) c.send({ type: 'close' });
  }
}
