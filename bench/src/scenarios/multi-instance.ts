import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { setupGuild } from '../fixtures.js';
import { GatewayFleet } from '../load/fleet.js';
import { round } from '../proc-stats.js';
import { loadVerdict, type Scenario } from '../scenario.js';
import { startServer } from '../server-process.js';
import { driveFanout } from './drive.js';

/**
 * Scenario 6: scenario 1 over two server processes sharing PostgreSQL and a Redis bus. Half the
 * sessions are on instance A, where the author posts, half on B. Every event crosses Redis (A hears
 * its own events back from Redis too), so B − A is the cost of the second hop and the comparison
 * with fan-out on one process (in-process bus) is the cost of the bus.
 */
export const multiInstance: Scenario = {
  name: 'multi',
  describe: 'fan-out over two server processes with PostgreSQL + Redis',
  async run(ctx) {
    if (ctx.backend !== 'postgres') throw new SkipError('needs PostgreSQL (PGlite is one process)');
    if (!ctx.opts.redisUrl) throw new SkipError('needs BENCH_REDIS_URL or TEST_REDIS_URL');
    const members = ctx.opts.members ?? (ctx.opts.quick ? 50 : 1000);
    const rate = ctx.opts.rate ?? 50;
    const durationS = ctx.opts.duration ?? (ctx.opts.quick ? 3 : 30);
    const a = await ctx.freshServerOptions({
      redisUrl: ctx.opts.redisUrl,
      redisPrefix: `bench-${randomBytes(4).toString('hex')}`,
      env: { WORKER_ID: '1', PROCESS_ID: '1' },
    });
    const b = { ...a, logFile: a.logFile.replace(/\.log$/, '-b.log'), env: { WORKER_ID: '2', PROCESS_ID: '2' } };
    // One after the other: both would run the migrations on the fresh database at once.
    const sa = await startServer(a);
    const sb = await startServer(b).catch(async (err) => {
      await sa.stop();
      throw err;
    });
    const workers = Math.max(1, Math.floor(ctx.opts.workers / 2));
    const fleetA = new GatewayFleet(workers);
    const fleetB = new GatewayFleet(workers);
    try {
      const g = await setupGuild(sa.url, members);
      const tokens = g.all.map((u) => u.token);
      const [ca, cb] = await Promise.all([
        fleetA.connect(
          sa.url,
          tokens.filter((_, i) => i % 2 === 0),
          { concurrency: 16 },
        ),
        fleetB.connect(
          sb.url,
          tokens.filter((_, i) => i % 2 === 1),
          { concurrency: 16 },
        ),
      ]);
      const failed = ca.failed + cb.failed;
      if (failed) ctx.log(`${failed} sessions failed: ${ca.firstError ?? cb.firstError}`);
      ctx.log(`${ca.ok} sessions on A, ${cb.ok} on B; posting ${rate}/s to A for ${durationS} s`);
      const out = await driveFanout({
        postUrl: sa.url,
        channelId: g.channelId,
        authorTokens: [g.owner.token],
        fleets: [
          { label: 'A', fleet: fleetA },
          { label: 'B', fleet: fleetB },
        ],
        serverPids: [sa.pid, sb.pid],
        durationMs: durationS * 1000,
        warmupMs: ctx.opts.quick ? 1000 : 3000,
        load: { mode: 'rate', perSecond: rate },
        posterWorkers: 1,
      });
      const [la, lb] = out.receivers.map((r) => r.latency);
      const verdict = loadVerdict(out.server, out.generator, cpus().length);
      const single = ctx.results.find((r) => r.scenario === 'fanout' && r.backend === 'postgres' && !r.error)?.latencies?.delivery;
      const cpuA = out.serverByPid.get(sa.pid)?.cpuPct ?? 0;
      const cpuB = out.serverByPid.get(sb.pid)?.cpuPct ?? 0;
      return {
        config: { members, sessionsA: ca.ok, sessionsB: cb.ok, ratePerS: rate, durationS, bus: 'redis' },
        latencies: { deliveryA: la, deliveryB: lb, post: out.postLatency },
        figures: [
          { metric: 'delivery p50 / p99, same instance (A)', value: `${la.p50} / ${la.p99}`, unit: 'ms' },
          { metric: 'delivery p50 / p99, other instance (B)', value: `${lb.p50} / ${lb.p99}`, unit: 'ms' },
          { metric: 'delivery p99.9 / max (B)', value: `${lb.p999} / ${lb.max}`, unit: 'ms' },
          { metric: 'B − A at p50 / p99', value: `${round(lb.p50 - la.p50, 2)} / ${round(lb.p99 - la.p99, 2)}`, unit: 'ms' },
          ...(single
            ? [
                {
                  metric: 'A − one process (in-process bus) at p50 / p99',
                  value: `${round(la.p50 - single.p50, 2)} / ${round(la.p99 - single.p99, 2)}`,
                  unit: 'ms',
                },
              ]
            : []),
          { metric: 'POST p50 / p99', value: `${out.postLatency.p50} / ${out.postLatency.p99}`, unit: 'ms' },
          { metric: 'deliveries missing', value: out.missing },
          { metric: 'server CPU A / B', value: `${cpuA} / ${cpuB}`, unit: '%' },
          {
            metric: 'CPU per frame its sessions received: A / B / receiving generator',
            value: `${out.cpuPerFrameUs.perServer.join(' / ')} / ${out.cpuPerFrameUs.receivers}`,
            unit: 'µs',
          },
        ],
        notes: [
          ...verdict.notes,
          `${out.posts.ok} POSTs ok, ${out.posts.errors} failed${out.posts.firstError ? ` (${out.posts.firstError})` : ''}`,
        ],
      };
    } finally {
      fleetA.close();
      fleetB.close();
      await Promise.all([sa.stop(), sb.stop()]);
    }
  },
};

/** A scenario that does not apply to this backend or setup: reported as skipped, not failed. */
export class SkipError extends Error {}
