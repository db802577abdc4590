import { randomBytes } from 'node:crypto';
import { type LatencySummary, summarize } from '../histogram.js';
import { type FleetReport, type GatewayFleet, Posters, type PostersResult } from '../load/fleet.js';
import { PgWaitSampler } from '../pg-waits.js';
import { nowMs, ProcSampler, type UsageWindow } from '../proc-stats.js';
import { sleep } from '../server-process.js';

export interface FanoutDrive {
  postUrl: string;
  channelId: string;
  authorTokens: string[];
  /** Receivers, by label (one fleet per server instance in the multi-instance scenario). */
  fleets: { label: string; fleet: GatewayFleet }[];
  serverPids: number[];
  durationMs: number;
  warmupMs: number;
  load: { mode: 'rate'; perSecond: number } | { mode: 'closed'; concurrency: number };
  posterWorkers: number;
  /** PostgreSQL runs: sample pg_stat_activity wait events while posting. */
  databaseUrl?: string;
}

export interface FanoutOutcome {
  posts: PostersResult;
  postLatency: LatencySummary;
  receivers: { label: string; report: FleetReport; latency: LatencySummary; expected: number }[];
  server: UsageWindow;
  serverByPid: Map<number, UsageWindow>;
  generator: Map<number, UsageWindow>;
  /** Messages every receiving session got, divided by the measured time. */
  deliveredPerS: number;
  /** Sessions × messages that never arrived within the grace period. */
  missing: number;
  /**
   * CPU per frame received (µs), from the start of posting until every delivery was in: the
   * server(s), and the receiving generator processes. Unlike latency, this does not depend on
   * what else the machine runs.
   */
  cpuPerFrameUs: {
    server: number;
    receivers: number;
    frames: number;
    /** With one server per fleet (multi-instance): each server's CPU per frame its own sessions received. */
    perServer: number[];
  };
  /** Average PostgreSQL backends per wait state while posting (PostgreSQL only). */
  pgWaits?: string;
}

/**
 * Posts stamped messages at the given load for `durationMs` (after a warm-up whose figures are
 * dropped) and collects send→receive latency from every receiving session. Waits up to 15 s after
 * the last POST for deliveries still in flight.
 */
export async function driveFanout(d: FanoutDrive): Promise<FanoutOutcome> {
  const posters = new Posters(d.posterWorkers);
  const generatorPids = () => [process.pid, ...posters.pids(), ...d.fleets.flatMap((f) => f.fleet.pids())];
  const serverSampler = new ProcSampler(() => d.serverPids);
  const genSampler = new ProcSampler(generatorPids);
  try {
    const tag = randomBytes(3).toString('hex');
    const job = { url: d.postUrl, channelId: d.channelId, tokens: d.authorTokens, ...d.load };
    if (d.warmupMs > 0) {
      await posters.run({ ...job, tag: `w${tag}`, durationMs: d.warmupMs });
      await sleep(500);
    }
    await Promise.all(d.fleets.map((f) => f.fleet.reset(tag)));
    const waits = d.databaseUrl ? new PgWaitSampler(d.databaseUrl) : undefined;
    await waits?.start();
    serverSampler.mark();
    genSampler.mark();
    const posts = await posters.run({ ...job, tag, durationMs: d.durationMs });
    await waits?.stop();
    const server = serverSampler.usage();
    const serverByPid = serverSampler.usageByPid();
    const generator = genSampler.usageByPid();
    // Deliveries still in flight when the last POST returned. Polled often at first: the time until
    // the last one arrived is the denominator of messages delivered per second (a 250 ms poll
    // understated a 5 s step's rate by several percent).
    let reports: FleetReport[] = [];
    const postsDone = nowMs();
    const deadline = postsDone + 15_000;
    do {
      reports = await Promise.all(d.fleets.map((f) => f.fleet.report()));
      if (reports.every((r) => r.received >= posts.ok * r.open)) break;
      await sleep(nowMs() - postsDone < 2000 ? 20 : 250);
    } while (nowMs() < deadline);
    // Delivery window: the posters' own sending time plus how long the last deliveries took after it
    // (not from before the job was handed to the poster processes, which takes a while).
    const deliveryS = posts.elapsedMs / 1000 + (nowMs() - postsDone) / 1000;
    const frames = reports.reduce((a, r) => a + r.received, 0);
    const perFrame = (cpuS: number, n = frames) => (n ? Math.round((cpuS / n) * 1e7) / 10 : 0);
    const cpuPerFrameUs = {
      server: perFrame(serverSampler.cpuSeconds()),
      receivers: perFrame(genSampler.cpuSeconds(d.fleets.flatMap((f) => f.fleet.pids()))),
      frames,
      perServer:
        d.serverPids.length === d.fleets.length
          ? d.serverPids.map((pid, i) => perFrame(serverSampler.cpuSeconds([pid]), reports[i].received))
          : [],
    };
    const receivers = d.fleets.map((f, i) => ({
      label: f.label,
      report: reports[i],
      latency: summarize(reports[i].latency),
      expected: posts.ok * reports[i].open,
    }));
    const missing = receivers.reduce((a, r) => a + Math.max(0, r.expected - r.report.received), 0);
    const minPerSession = Math.min(...reports.map((r) => r.minPerSession));
    return {
      posts,
      postLatency: summarize(posts.latency),
      receivers,
      server,
      serverByPid,
      generator,
      deliveredPerS: Math.round(minPerSession / deliveryS),
      missing,
      cpuPerFrameUs,
      pgWaits: waits?.summary(),
    };
  } finally {
    serverSampler.stop();
    genSampler.stop();
    posters.close();
  }
}
