import WebSocket from 'ws';
import { encode, newHistogram } from '../histogram.js';
import type { ConnectResult, GatewayCommand, GatewayReport } from './messages.js';
import { MARKER } from './messages.js';

/**
 * A child process holding many gateway sessions: HELLO → IDENTIFY → READY, then heartbeats at the
 * server's interval. It timestamps every bench MESSAGE_CREATE on arrival and keeps an HDR histogram
 * of send→receive latency. Dispatches are scanned as bytes rather than decoded and parsed: at
 * 1,000 sessions × 50 msg/s that is what keeps the generator from becoming the bottleneck.
 */
interface Session {
  ws: WebSocket;
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
const QUOTE = 0x22;

const send = (msg: unknown) => process.send?.(msg);

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
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const s: Session = { ws, seq: null, received: 0, ready: false };
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no READY within ${timeoutMs} ms`));
    }, timeoutMs);
    let sawGuild = false;
    ws.on('message', (data: Buffer) => {
      // Bytes, not strings: finding the stamp and the seq must not cost a UTF-8 decode per frame.
      const m = marker;
      const at = m ? data.indexOf(m) : -1;
      if (m && at >= 0) {
        const from = at + m.length;
        const sent = BigInt(data.toString('latin1', from, data.indexOf(QUOTE, from)));
        latency.recordValue(Number((process.hrtime.bigint() - sent) / 1000n));
        s.received++;
      }
      const seq = /"s":(\d+)/.exec(data.toString('latin1', 0, Math.min(data.length, 64)));
      if (seq) s.seq = Number(seq[1]);
      // Past READY + GUILD_CREATE only small control frames matter (op 1 asks for a beat now).
      if (s.ready && sawGuild && data.length > 200) return;
      const msg = JSON.parse(data.toString('utf8'));
      if (msg.op === 1) ws.send(JSON.stringify({ op: 1, d: s.seq }));
      if (msg.op === 10) {
        const every = msg.d.heartbeat_interval as number;
        // First beat after a random fraction of the interval, as Discord asks, so beats spread out.
        const beat = () => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ op: 1, d: s.seq }));
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
    });
    ws.on('close', (code) => {
      clearTimeout(s.heartbeat);
      clearTimeout(timer);
      if (!closing && s.ready) {
        closedUnexpectedly++;
        lastCloseCode = code;
      }
      if (!s.ready) reject(new Error(`closed ${code} before READY`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
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
  const open = sessions.filter((s) => s.ws.readyState === WebSocket.OPEN);
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
