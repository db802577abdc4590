import { cpus } from 'node:os';
import { setupGuild } from '../fixtures.js';
import { summarize } from '../histogram.js';
import { GatewayFleet } from '../load/fleet.js';
import { nowMs, ProcSampler, round } from '../proc-stats.js';
import { type Figure, loadVerdict, type Scenario } from '../scenario.js';
import { sleep, startServer } from '../server-process.js';

/**
 * Scenario 3: idle gateway sessions opened in steps (1k, 2k, 5k, 10k), each IDENTIFYing into a guild
 * and heartbeating at the server's interval. At each step: time to READY of the new sessions, then
 * server RSS and CPU over an idle window. Sessions belong to a pool of users (several per user
 * beyond the pool size), since registering 10,000 accounts would dominate the run.
 *
 * RSS is reported twice: at the end of the idle window (still holding what the connect burst left:
 * V8 returns the garbage of thousands of READYs only when its memory reducer runs, 30–60 s after the
 * burst — the transient a restart causes when every client reconnects at once) and settled (the
 * lowest of samples every 5 s over SETTLE_S more).
 */
const SETTLE_S = 60;
export const connections: Scenario = {
  name: 'connections',
  describe: 'idle sessions in steps with heartbeats: server RSS, CPU, time to READY',
  async run(ctx) {
    const steps = ctx.opts.steps ?? (ctx.opts.quick ? [50, 100] : [1000, 2000, 5000, 10000]);
    const users = Math.min(ctx.opts.members ?? (ctx.opts.quick ? 20 : 1000), Math.max(...steps));
    const idleS = ctx.opts.duration ?? (ctx.opts.quick ? 2 : 15);
    // Set up, then restart on the same data: memory is measured on a server as it runs day to day,
    // not one that has just created its database (PGlite's first boot holds ~400 MiB more).
    const serverOpts = await ctx.freshServerOptions();
    const setup = await startServer(serverOpts);
    const g = await setupGuild(setup.url, users).finally(() => setup.stop());
    const server = await startServer(serverOpts);
    const fleet = new GatewayFleet(ctx.opts.workers);
    const sampler = new ProcSampler(() => [server.pid]);
    const gen = new ProcSampler(() => [process.pid, ...fleet.pids()]);
    try {
      ctx.log(`${users} users in one guild; opening sessions in steps ${steps.join(', ')}`);
      sampler.mark();
      await sleep(1000);
      const figures: Figure[] = [{ metric: '0 sessions: server RSS', value: sampler.usage().rssMiB, unit: 'MiB' }];
      const notes: string[] = [];
      const perStep: Record<string, unknown>[] = [];
      let open = 0;
      for (const target of steps) {
        const tokens = Array.from({ length: target - open }, (_, i) => g.all[(open + i) % users].token);
        const t = nowMs();
        const conn = await fleet.connect(server.url, tokens, { concurrency: 64, timeoutMs: 120_000 });
        const connectS = round((nowMs() - t) / 1000);
        if (conn.failed) notes.push(`step ${target}: ${conn.failed} sessions failed (${conn.firstError})`);
        sampler.mark();
        gen.mark();
        await sleep(idleS * 1000);
        const usage = sampler.usage();
        const settled = await settle(() => sampler.usage().rssMiB);
        const report = await fleet.report();
        open = report.open;
        const ready = summarize(conn.ready);
        const verdict = loadVerdict(usage, gen.usageByPid(), cpus().length);
        ctx.log(`${open} open: RSS ${usage.rssMiB} MiB (settled ${settled} MiB), idle CPU ${usage.cpuPct}%, READY p50 ${ready.p50} ms`);
        perStep.push({ target, open, connectS, ready, idle: usage, settledRssMiB: settled, generatorCpuPct: verdict.generatorCpuPct });
        figures.push(
          { metric: `${target} sessions: open`, value: open },
          {
            metric: `${target} sessions: server RSS after ${idleS} s idle (peak)`,
            value: `${usage.rssMiB} (${usage.peakRssMiB})`,
            unit: 'MiB',
          },
          {
            metric: `${target} sessions: server RSS settled`,
            value: settled,
            unit: 'MiB',
            ...(target >= 10_000 ? { goal: '≤ 600 MiB at 10k', met: settled <= 600 && open >= 10_000 } : {}),
          },
          { metric: `${target} sessions: idle CPU`, value: usage.cpuPct, unit: '%' },
          { metric: `${target} sessions: READY p50 / p99`, value: `${ready.p50} / ${ready.p99}`, unit: 'ms' },
        );
        notes.push(
          `step ${target}: ${tokens.length} new sessions connected in ${connectS} s (${Math.round(conn.ok / Math.max(connectS, 0.001))}/s); ${verdict.notes[0]}`,
        );
        if (report.closedUnexpectedly)
          notes.push(`step ${target}: ${report.closedUnexpectedly} sessions closed by the server (last code ${report.lastCloseCode})`);
      }
      return { config: { steps, users, idleS, generatorWorkers: ctx.opts.workers, perStep }, figures, notes };
    } finally {
      sampler.stop();
      gen.stop();
      fleet.close();
      await server.stop();
    }
  },
};

/** The lowest RSS of samples every 5 s over SETTLE_S (it stays flat for a while before V8 gives memory back). */
async function settle(rss: () => number): Promise<number> {
  let low = rss();
  for (let waited = 0; waited < SETTLE_S; waited += 5) {
    await sleep(5000);
    low = Math.min(low, rss());
  }
  return low;
}
