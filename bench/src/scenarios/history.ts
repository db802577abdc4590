import { type Histogram, newHistogram, summarize } from '../histogram.js';
import { nowMs, ProcSampler } from '../proc-stats.js';
import { restOk } from '../rest.js';
import type { Scenario } from '../scenario.js';
import { startServer } from '../server-process.js';
import { historyDataset, login } from './dataset.js';

/**
 * Scenario 4: random 50-message pages `before` a random id of a channel with 1 M messages, over
 * HTTP, one request in flight (the latency a user scrolling back sees), then 8 in flight (capacity).
 */
export const history: Scenario = {
  name: 'history',
  describe: 'GET 50-message pages before random ids in a channel of 1 M messages',
  async run(ctx) {
    const count = ctx.opts.messages ?? (ctx.opts.quick ? 20_000 : 1_000_000);
    const durationS = ctx.opts.duration ?? (ctx.opts.quick ? 3 : 20);
    const ds = await historyDataset(ctx, count);
    const server = await startServer(ds.server);
    const sampler = new ProcSampler(() => [server.pid]);
    try {
      const token = await login(server.url, ds.username);
      const page = async (h: Histogram) => {
        const before = ds.history.idAt(50 + Math.floor(Math.random() * (count - 50)));
        const t0 = process.hrtime.bigint();
        const rows = await restOk<unknown[]>(server.url, 'GET', `/channels/${ds.channelId}/messages?limit=50&before=${before}`, { token });
        h.recordValue(Number((process.hrtime.bigint() - t0) / 1000n));
        if (rows.length !== 50) throw new Error(`page of ${rows.length} messages, expected 50`);
      };
      const runFor = async (ms: number, concurrency: number) => {
        const h = newHistogram();
        const end = nowMs() + ms;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (nowMs() < end) await page(h);
          }),
        );
        return h;
      };
      ctx.log('warming up');
      await runFor(Math.min(3000, durationS * 300), 1);
      sampler.mark();
      const single = await runFor(durationS * 1000, 1);
      const singleUsage = sampler.usage();
      sampler.mark();
      const parallel = await runFor(Math.max(2, durationS / 2) * 1000, 8);
      const parallelUsage = sampler.usage();
      const s1 = summarize(single);
      const p99Goal = ctx.backend === 'pglite' ? 8 : 5; // issue 16's goals per backend
      const s8 = summarize(parallel);
      const secs = Math.max(2, durationS / 2);
      return {
        config: { messages: count, pageSize: 50, durationS, seededInS: ds.seedS },
        latencies: { page_c1: s1, page_c8: s8 },
        figures: [
          { metric: 'page p50 (1 in flight)', value: s1.p50, unit: 'ms' },
          { metric: 'page p99 (1 in flight)', value: s1.p99, unit: 'ms', goal: `≤ ${p99Goal} ms`, met: s1.p99 <= p99Goal },
          // CPU time, not latency: it hardly depends on what else the machine runs.
          {
            metric: 'server CPU per page (1 in flight)',
            value: Math.round((singleUsage.cpuPct * 10 * durationS * 100) / s1.count) / 100,
            unit: 'ms',
          },
          { metric: 'pages/s (8 in flight)', value: Math.round(s8.count / secs), unit: '/s' },
          { metric: 'page p99 (8 in flight)', value: s8.p99, unit: 'ms' },
          { metric: 'server CPU (8 in flight)', value: parallelUsage.cpuPct, unit: '%' },
          { metric: 'server RSS', value: parallelUsage.peakRssMiB, unit: 'MiB' },
        ],
        notes: [
          `seeded ${count} messages in ${ds.seedS} s (INSERT … SELECT generate_series, all indexes live)`,
          `1 in flight: ${s1.count} pages, server CPU ${singleUsage.cpuPct}%`,
        ],
      };
    } finally {
      sampler.stop();
      await server.stop();
    }
  },
};
