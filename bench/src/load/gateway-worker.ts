import { encode, newHistogram } from '../histogram.js';
import type { ConnectResult, GatewayCommand, GatewayReport } from './messages.js';
import { MARKER } from './messages.js';
import { RawWebSocket } from './ws-client.js';

/**
 * A child process holding many gateway sessions: HELLO → IDENTIFY → READY, then heartbeats at the
 * server's interval. It timestamps every bench MESSAGE_CREATE on arrival and keeps an HDR histogram
 * of send→receive latency. It shares the cores with the server it measures, so the receiving side
 * is as light as it can be: raw TCP sockets with a minimal frame reader (`ws-client.ts`), and
 * dispatches scanned as bytes where they arrived (no copy, UTF-8 decode or JSON parse per
 * MESSAGE_CREATE); only the handshake frames and small control frames are parsed.
 */
interface Session {
  ws: RawWebSocket;
  seq: number | null;
  heartbeat?: NodeJS.Timeout;
  received: number;
  ready: boolean;
}

const sessions: Session[] = [];
let latency = newHistogram();
let closing = false;
let closedUnexpectedly = 0;
let lastCloseCode: number | undefined;
/** Content prefix of the messages being measured (`bench:<tag>:`), as bytes; set by reset. */
let marker: Buffer | null = null;
const S_KEY = Buffer.from('"s":');
/** `{"op":1,` — the server asking for a heartbeat now. */
const OP1 = Buffer.from('{"op":1,');

const send = (msg: unknown) => process.send?.(msg);

/** CLOCK_MONOTONIC in ns as a double (exact to the ns for 104 days of uptime, to µs far beyond). */
const nowNs = () => Number(process.hrtime.bigint());

/** The decimal number at `buf[i..]` (digits only), or -1 if there is none. */
function readInt(buf: Buffer, i: number, end: number): number {
  let v = 0;
  let any = false;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    any = true;
  }
  return any ? v : -1;
}

function open(
  url: string,
  token: string,
  intents: number,
  timeoutMs: number,
  readyH: ReturnType<typeof newHistogram>,
  gcH: ReturnType<typeof newHistogram>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    let sawGuild = false;
    const ws = new RawWebSocket(`${url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`, {
      open: () => {},
      message: (buf, start, end) => {
        // Bytes in place: finding the stamp and the seq costs no copy or UTF-8 decode per frame.
        const m = marker;
        if (m) {
          const at = buf.subarray(start, end).indexOf(m);
          if (at >= 0) {
            const sent = readInt(buf, start + at + m.length, end);
            latency.recordValue(Math.max(0, Math.round((nowNs() - sent) / 1000)));
            s.received++;
          }
        }
        const k = buf.subarray(start, Math.min(end, start + 64)).indexOf(S_KEY);
        if (k >= 0) {
          const seq = readInt(buf, start + k + S_KEY.length, end);
          if (seq >= 0) s.seq = seq;
        }
        // Past READY + GUILD_CREATE only op 1 (beat now) matters.
        if (s.ready && sawGuild) {
          if (end - start < 200 && buf.subarray(start, start + OP1.length).equals(OP1)) ws.send(JSON.stringify({ op: 1, d: s.seq }));
          return;
        }
        const msg = JSON.parse(buf.toString('utf8', start, end));
        if (msg.op === 1) ws.send(JSON.stringify({ op: 1, d: s.seq }));
        if (msg.op === 10) {
          const every = msg.d.heartbeat_interval as number;
          // First beat after a random fraction of the interval, as Discord asks, so beats spread out.
          const beat = () => ws.send(JSON.stringify({ op: 1, d: s.seq }));
          s.heartbeat = setTimeout(function tick() {
            beat();
            s.heartbeat = setTimeout(tick, every);
          }, Math.random() * every);
          ws.send(
            JSON.stringify({
              op: 2,
              d: { token, intents, properties: { os: 'linux', browser: 'retrocast-bench', device: 'retrocast-bench' } },
            }),
          );
        } else if (msg.op === 0 && msg.t === 'READY') {
          readyH.recordValue(Number((process.hrtime.bigint() - started) / 1000n));
          s.ready = true;
          sessions.push(s);
          clearTimeout(timer);
          resolve();
        } else if (msg.op === 0 && msg.t === 'GUILD_CREATE' && !sawGuild) {
          sawGuild = true;
          gcH.recordValue(Number((process.hrtime.bigint() - started) / 1000n));
        }
      },
      close: (code) => {
        clearTimeout(s.heartbeat);
        clearTimeout(timer);
        if (!closing && s.ready) {
          closedUnexpectedly++;
          lastCloseCode = code;
        }
        if (!s.ready) reject(new Error(`closed ${code} before READY`));
      },
      error: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    });
    const s: Session = { ws, seq: null, received: 0, ready: false };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no READY within ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

async function connect(cmd: Extract<GatewayCommand, { type: 'connect' }>): Promise<ConnectResult> {
  const readyH = newHistogram();
  const gcH = newHistogram();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const run = async () => {
    while (next < cmd.tokens.length) {
      const token = cmd.tokens[next++];
      try {
        await open(cmd.url, token, cmd.intents, cmd.timeoutMs, readyH, gcH);
        ok++;
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(cmd.concurrency, cmd.tokens.length) }, run));
  return { type: 'connected', ok, failed, firstError, ready: encode(readyH), guildCreate: encode(gcH) };
}

function report(): GatewayReport {
  const open = sessions.filter((s) => s.ws.open);
  const counts = open.map((s) => s.received);
  return {
    type: 'report',
    latency: encode(latency),
    received: counts.reduce((a, b) => a + b, 0),
    minPerSession: counts.length ? Math.min(...counts) : 0,
    maxPerSession: counts.length ? Math.max(...counts) : 0,
    open: open.length,
    closedUnexpectedly,
    lastCloseCode,
  };
}

process.on('message', async (cmd: GatewayCommand) => {
  if (cmd.type === 'connect') send(await connect(cmd));
  else if (cmd.type === 'reset') {
    marker = Buffer.from(`${MARKER}${cmd.tag}:`);
    latency = newHistogram();
    for (const s of sessions) s.received = 0;
    send({ type: 'reset' });
  } else if (cmd.type === 'report') send(report());
  else if (cmd.type === 'close') {
    closing = true;
    for (const s of sessions) {
      clearTimeout(s.heartbeat);
      s.ws.terminate();
    }
    process.exit(0);
  }
});
// Never outlive the orchestrator.
process.on('disconnect', () => process.exit(0));
