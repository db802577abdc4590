import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo } from './machine.js';
import { type BenchReport, renderTable, writeReport } from './report.js';
import { type BenchOptions, backendContext, type Scenario, type ScenarioResult } from './scenario.js';
import { coldStart } from './scenarios/cold-start.js';
import { connections } from './scenarios/connections.js';
import { fanout } from './scenarios/fanout.js';
import { files } from './scenarios/files.js';
import { history } from './scenarios/history.js';
import { multiInstance, SkipError } from './scenarios/multi-instance.js';
import { throughput } from './scenarios/throughput.js';
import { voice } from './scenarios/voice.js';
import { assertBuilt, type Backend, killAllServers, REPO, SERVER_DIR, serverEnv } from './server-process.js';

/** Every scenario, in the order `npm run bench` runs them. */
const SCENARIOS: Scenario[] = [fanout, throughput, connections, history, coldStart, multiInstance, files, voice];

const USAGE = `npm run bench -- [options]
  --scenario a,b     run only these (${SCENARIOS.map((s) => s.name).join(', ')})
  --backend a,b      pglite, postgres (default: both; postgres needs BENCH_DATABASE_URL or TEST_DATABASE_URL)
  --duration S       seconds each scenario measures (overrides its default)
  --quick            smoke run: small sizes, a few seconds each (CI)
  --members N        connected members (fanout, multi)
  --rate N           messages per second (fanout, multi)
  --messages N       seeded history size (history, coldstart)
  --steps a,b        idle-session steps (connections)
  --workers N        load-generator child processes (default 2)
  --cpu-prof         write server V8 CPU profiles to the run folder
  --log-level L      server LOG_LEVEL (default warn)`;

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      backend: { type: 'string' },
      duration: { type: 'string' },
      quick: { type: 'boolean', default: false },
      members: { type: 'string' },
      rate: { type: 'string' },
      messages: { type: 'string' },
      steps: { type: 'string' },
      workers: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  const list = (v?: string) =>
    v
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const scenarios = list(values.scenario) ?? SCENARIOS.map((s) => s.name);
  for (const s of scenarios) if (!SCENARIOS.some((x) => x.name === s)) throw new Error(`unknown scenario "${s}"\n${USAGE}`);
  const backends = (list(values.backend) ?? (postgresUrl ? ['pglite', 'postgres'] : ['pglite'])) as Backend[];
  const startedAt = new Date().toISOString();
  return {
    scenarios,
    backends,
    duration: num(values.duration),
    quick: values.quick,
    members: num(values.members),
    rate: num(values.rate),
    messages: num(values.messages),
    steps: list(values.steps)?.map(Number),
    workers: num(values.workers) ?? 2,
    cpuProf: values['cpu-prof'],
    logLevel: values['log-level'] ?? 'warn',
    postgresUrl,
    redisUrl: process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL || undefined,
    runDir: join(REPO, 'bench/results', startedAt.replaceAll(':', '-').replace(/\..*/, '')),
  };
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  assertBuilt();
  mkdirSync(opts.runDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const results: ScenarioResult[] = [];
  for (const backend of opts.backends) {
    const { ctx, dispose } = backendContext(backend, opts, results);
    try {
      for (const scenario of SCENARIOS.filter((s) => opts.scenarios.includes(s.name))) {
        ctx.scenario = scenario.name;
        ctx.log(`start: ${scenario.describe}`);
        // Other work on the machine skews every figure; say how busy it was when the scenario began.
        const load = loadavg()[0];
        if (load > cpus().length)
          ctx.log(`warning: load average ${load.toFixed(1)} on ${cpus().length} cores; figures will include waiting for a CPU`);
        try {
          const r = await scenario.run(ctx);
          const busy =
            load > cpus().length ? [`machine busy: load average ${load.toFixed(1)} on ${cpus().length} cores when the scenario began`] : [];
          results.push({
            scenario: scenario.name,
            backend,
            ...r,
            config: { ...r.config, loadAverageAtStart: Math.round(load * 100) / 100 },
            notes: [...busy, ...r.notes],
          });
        } catch (err) {
          if (err instanceof SkipError) {
            ctx.log(`skipped: ${err.message}`);
            results.push({ scenario: scenario.name, backend, config: {}, figures: [], notes: [], skipped: err.message });
            continue;
          }
          ctx.log(`failed: ${(err as Error).stack}`);
          results.push({ scenario: scenario.name, backend, config: {}, figures: [], notes: [], error: (err as Error).message });
        }
      }
    } finally {
      await dispose();
    }
  }
  const { runDir, ...options } = opts;
  const env = serverEnv({ backend: 'pglite', dataDir: '…', logLevel: opts.logLevel, logFile: '', jwtSecret: '…' }, 0);
  const shown = Object.fromEntries(
    Object.entries(env).filter(([k]) => !['PATH', 'HOME', 'PORT', 'DATA_DIR', 'JWT_SECRET', 'HOST'].includes(k)),
  );
  const server = { dir: SERVER_DIR, commit: gitCommit() };
  const report: BenchReport = { startedAt, finishedAt: new Date().toISOString(), machine, options, serverEnv: shown, server, results };
  console.log(`\n${renderTable(report)}\n`);
  console.log(
    `JSON: ${writeReport(join(REPO, 'bench/results'), report)}\nServer logs${opts.cpuProf ? ' and CPU profiles' : ''}: ${runDir}`,
  );
}

/** The snapshot's commit (scripts/snapshot.sh), else HEAD, marked "+changes" when the working tree differs. */
function gitCommit(): string {
  const stamp = join(SERVER_DIR, 'BENCH_COMMIT');
  if (SERVER_DIR !== REPO && existsSync(stamp)) return readFileSync(stamp, 'utf8').trim();
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', 'protocol', 'server'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

// Ctrl-C or CI's timeout: take the servers down with us (load workers exit when we disconnect).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllServers();
    process.exit(130);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
