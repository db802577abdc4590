import { encode, newHistogram } from '../histogram.js';
import type { PostCommand, PostReport } from './messages.js';
import { stampedContent } from './messages.js';
import { jsonPost, RawHttpPool } from './raw-http.js';

/**
 * A child process that POSTs bench messages, either open-loop at a fixed rate (fan-out: sends on
 * schedule whatever the server's pace, so slow responses cannot hide latency) or closed-loop with N
 * in flight (throughput: as fast as the server answers). Authors rotate over the given tokens.
 */
async function post(cmd: PostCommand): Promise<PostReport> {
  const latency = newHistogram();
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let maxLagMs = 0;
  let n = 0;
  const pool = new RawHttpPool(cmd.url);
  const path = `/api/v10/channels/${cmd.channelId}/messages`;
  const one = async () => {
    const token = cmd.tokens[n++ % cmd.tokens.length];
    const t0 = process.hrtime.bigint();
    try {
      const r = await pool.request(jsonPost(pool.host, path, token, { content: stampedContent(cmd.tag) }));
      if (r.status === 200) ok++;
      else {
        errors++;
        firstError ??= `${r.status} ${r.body.toString('utf8', 0, 200)}`;
      }
    } catch (err) {
      errors++;
      firstError ??= (err as Error).message;
    }
    latency.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
  };
  const started = performance.now();
  const end = started + cmd.durationMs;
  const inflight = new Set<Promise<void>>();
  if (cmd.mode === 'rate') {
    const every = 1000 / cmd.perSecond;
    for (let i = 0; ; i++) {
      const due = started + i * every;
      if (due >= end) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      maxLagMs = Math.max(maxLagMs, performance.now() - due);
      const p = one().finally(() => inflight.delete(p));
      inflight.add(p);
    }
  } else {
    const loop = async () => {
      while (performance.now() < end) await one();
    };
    await Promise.all(Array.from({ length: cmd.concurrency }, loop));
  }
  await Promise.all(inflight);
  pool.close();
  return {
    type: 'posted',
    ok,
    errors,
    firstError,
    latency: encode(latency),
    maxLagMs: Math.round(maxLagMs * 10) / 10,
    elapsedMs: performance.now() - started,
  };
}

process.on('message', async (cmd: PostCommand | { type: 'close' }) => {
  if (cmd.type === 'post') process.send?.(await post(cmd));
  else process.exit(0);
});
process.on('disconnect', () => process.exit(0));
