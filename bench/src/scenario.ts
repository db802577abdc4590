import { join } from 'node:path';
import type { LatencySummary } from './histogram.js';
import { type Backend, createDatabase, randomSecret, removeDir, type ServerOptions, tempDataDir } from './server-process.js';

export interface BenchOptions {
  scenarios: string[];
  backends: Backend[];
  /** Overrides each scenario's measuring time, seconds. */
  duration?: number;
  quick: boolean;
  members?: number;
  rate?: number;
  messages?: number;
  steps?: number[];
  workers: number;
  cpuProf: boolean;
  logLevel: string;
  postgresUrl?: string;
  redisUrl?: string;
  runDir: string;
}

/** One line of the result table. `goal` is the target; `met` is left undefined where there is none. */
export interface Figure {
  metric: string;
  value: number | string;
  unit?: string;
  goal?: string;
  met?: boolean;
}

export interface ScenarioResult {
  scenario: string;
  backend: Backend;
  config: Record<string, unknown>;
  figures: Figure[];
  latencies?: Record<string, LatencySummary>;
  /** Server and generator CPU/RSS, generator-bottleneck verdict, anything a reader needs to trust the numbers. */
  notes: string[];
  error?: string;
  skipped?: string;
}

export interface Scenario {
  name: string;
  describe: string;
  run(ctx: ScenarioContext): Promise<Omit<ScenarioResult, 'scenario' | 'backend'>>;
}

export interface ScenarioContext {
  backend: Backend;
  /** The scenario running now (log prefix, log file names). */
  scenario: string;
  /** Results so far in this run (multi-instance compares with fan-out). */
  results: ScenarioResult[];
  opts: BenchOptions;
  log(msg: string): void;
  /** A fresh data dir (+ fresh PostgreSQL database) for one scenario; cleaned up by `dispose`. */
  freshServerOptions(extra?: Partial<ServerOptions>): Promise<ServerOptions>;
}

/**
 * The context of all scenarios on one backend; `dispose` (after the last of them) drops the databases
 * and data dirs they made, so scenarios can share a seeded dataset.
 */
export function backendContext(
  backend: Backend,
  opts: BenchOptions,
  results: ScenarioResult[],
): { ctx: ScenarioContext; dispose(): Promise<void> } {
  const cleanups: (() => Promise<void> | void)[] = [];
  let n = 0;
  const ctx: ScenarioContext = {
    backend,
    scenario: '',
    results,
    opts,
    log: (msg) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${ctx.scenario}/${backend}: ${msg}`),
    freshServerOptions: async (extra = {}) => {
      const dataDir = tempDataDir();
      cleanups.push(() => removeDir(dataDir));
      let databaseUrl: string | undefined;
      if (backend === 'postgres') {
        if (!opts.postgresUrl) throw new Error('postgres backend needs BENCH_DATABASE_URL or TEST_DATABASE_URL');
        const db = await createDatabase(opts.postgresUrl);
        cleanups.push(db.drop);
        databaseUrl = db.url;
      }
      return {
        backend,
        dataDir,
        databaseUrl,
        logLevel: opts.logLevel,
        logFile: join(opts.runDir, `${ctx.scenario}-${backend}-server-${n++}.log`),
        cpuProfDir: opts.cpuProf ? join(opts.runDir, 'profiles') : undefined,
        jwtSecret: randomSecret(),
        ...extra,
      };
    },
  };
  return {
    ctx,
    dispose: async () => {
      for (const c of cleanups.reverse()) {
        try {
          await c();
        } catch (err) {
          ctx.log(`cleanup failed: ${(err as Error).message}`);
        }
      }
    },
  };
}

export const pct = (n: number) => `${Math.round(n)}%`;

/**
 * Says whether the numbers measure the server: the load generator is the bottleneck when one of its
 * processes nears a full core, and the machine is saturated when server + generator use nearly
 * every core (then latency includes waiting for a CPU).
 */
export function loadVerdict(
  server: { cpuPct: number },
  generator: Map<number, { cpuPct: number }>,
  cores: number,
): { notes: string[]; generatorCpuPct: number; generatorBound: boolean } {
  const per = [...generator.values()].map((u) => u.cpuPct);
  const generatorCpuPct = Math.round(per.reduce((a, b) => a + b, 0));
  const busiest = Math.max(0, ...per);
  const generatorBound = busiest > 85;
  const notes = [
    `server CPU ${Math.round(server.cpuPct)}%, load generator CPU ${generatorCpuPct}% over ${per.length} processes (busiest ${Math.round(busiest)}%)`,
  ];
  if (generatorBound) notes.push('GENERATOR-BOUND: a load-generator process used > 85% of a core; figures understate the server');
  if (server.cpuPct + generatorCpuPct > cores * 100 * 0.9)
    notes.push(`machine saturated: server + generator used > 90% of ${cores} cores; latency includes waiting for a CPU`);
  return { notes, generatorCpuPct, generatorBound };
}
