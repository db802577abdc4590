import { cpus } from 'node:os';
import { setupGuild } from '../fixtures.js';
import { summarize } from '../histogram.js';
import { GatewayFleet } from '../load/fleet.js';
import { nowMs, round } from '../proc-stats.js';
import { loadVerdict, type Scenario } from '../scenario.js';
import { startServer } from '../server-process.js';
import { driveFanout } from './drive.js';

/**
 * Scenario 1: N connected members of one guild (all in #general); one author posts at a fixed
 * rate; latency from POST sent to MESSAGE_CREATE received, per receiving session.
 */
export const fanout: Scenario = {
  name: 'fanout',
  describe: 'one author posts at a fixed rate to a guild of N connected members',
  async run(ctx) {
    const members = ctx.opts.members ?? (ctx.opts.quick ? 50 : 1000);
    const rate = ctx.opts.rate ?? 50;
    const durationS = ctx.opts.duration ?? (ctx.opts.quick ? 3 : 30);
    const server = await startServer(await ctx.freshServerOptions());
    const fleet = new GatewayFleet(ctx.opts.workers);
    try {
      let t = nowMs();
      const g = await setupGuild(server.url, members);
      const setupS = round((nowMs() - t) / 1000);
      ctx.log(`${members} users registered and joined in ${setupS} s; connecting`);
      t = nowMs();
      const conn = await fleet.connect(
        server.url,
        g.all.map((u) => u.token),
        { concurrency: 32 },
      );
      if (conn.failed) ctx.log(`${conn.failed} sessions failed: ${conn.firstError}`);
      const ready = summarize(conn.ready);
      ctx.log(`${conn.ok} sessions ready in ${round((nowMs() - t) / 1000)} s; posting ${rate}/s for ${durationS} s`);
      const out = await driveFanout({
        postUrl: server.url,
        channelId: g.channelId,
        authorTokens: [g.owner.token],
        fleets: [{ label: 'all', fleet }],
        serverPids: [server.pid],
        durationMs: durationS * 1000,
        warmupMs: ctx.opts.quick ? 1000 : 3000,
        load: { mode: 'rate', perSecond: rate },
        posterWorkers: 1,
      });
      const lat = out.receivers[0].latency;
      // Issue 16's goals: PGlite runs the database inside the server process, so it gets twice the budget.
      const p99Goal = ctx.backend === 'pglite' ? 50 : 25;
      const verdict = loadVerdict(out.server, out.generator, cpus().length);
      return {
        config: { members, sessions: conn.ok, ratePerS: rate, durationS, generatorWorkers: ctx.opts.workers },
        latencies: { delivery: lat, post: out.postLatency, ready },
        figures: [
          { metric: `delivery p50 (${conn.ok} sessions, ${rate} msg/s)`, value: lat.p50, unit: 'ms' },
          {
            metric: 'delivery p99',
            value: lat.p99,
            unit: 'ms',
            goal: `≤ ${p99Goal} ms`,
            met: lat.p99 <= p99Goal && !verdict.generatorBound,
          },
          { metric: 'delivery p99.9', value: lat.p999, unit: 'ms' },
          { metric: 'delivery max', value: lat.max, unit: 'ms' },
          { metric: 'POST p50 / p99', value: `${out.postLatency.p50} / ${out.postLatency.p99}`, unit: 'ms' },
          { metric: 'deliveries missing', value: out.missing },
          { metric: 'server CPU', value: out.server.cpuPct, unit: '%' },
          {
            metric: 'CPU per frame received: server / receiving generator',
            value: `${out.cpuPerFrameUs.server} / ${out.cpuPerFrameUs.receivers}`,
            unit: 'µs',
          },
          { metric: 'server RSS (peak)', value: out.server.peakRssMiB, unit: 'MiB' },
        ],
        notes: [
          ...verdict.notes,
          `${out.posts.ok} POSTs ok, ${out.posts.errors} failed${out.posts.firstError ? ` (${out.posts.firstError})` : ''}; open-loop schedule max lag ${out.posts.maxLagMs} ms`,
          `setup: ${members} users registered + joined in ${setupS} s; connect→READY p50 ${ready.p50} ms, p99 ${ready.p99} ms`,
          ...(out.receivers[0].report.closedUnexpectedly
            ? [
                `${out.receivers[0].report.closedUnexpectedly} sessions closed by the server (last code ${out.receivers[0].report.lastCloseCode})`,
              ]
            : []),
        ],
      };
    } finally {
      fleet.close();
      await server.stop();
    }
  },
};
