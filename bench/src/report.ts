import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.js';
import type { BenchOptions, ScenarioResult } from './scenario.js';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  options: Omit<BenchOptions, 'runDir'>;
  serverEnv: Record<string, string>;
  /** What was measured: the build's folder and the repository commit it came from. */
  server: { dir: string; commit: string };
  results: ScenarioResult[];
}

const status = (met?: boolean) => (met === undefined ? '' : met ? 'met' : 'MISSED');

/** The figures as a Markdown table (prints well in a terminal and pastes into bench/README.md). */
export function renderTable(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, Node ${m.node}, Linux ${m.kernel}, load avg at start ${m.loadAverage.join(' ')}`,
    `Server: ${report.server.dir} (commit ${report.server.commit}), env ${Object.entries(report.serverEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
    '',
    '| scenario | backend | metric | value | goal | |',
    '|---|---|---|---:|---|---|',
  ];
  for (const r of report.results) {
    if (r.skipped) {
      lines.push(`| ${r.scenario} | ${r.backend} | skipped | ${r.skipped} | | |`);
      continue;
    }
    if (r.error) {
      lines.push(`| ${r.scenario} | ${r.backend} | error | ${r.error.replaceAll('|', '/').slice(0, 160)} | | |`);
      continue;
    }
    for (const f of r.figures) {
      lines.push(
        `| ${r.scenario} | ${r.backend} | ${f.metric} | ${f.value}${f.unit ? ` ${f.unit}` : ''} | ${f.goal ?? ''} | ${status(f.met)} |`,
      );
    }
  }
  const notes = report.results.flatMap((r) => r.notes.map((n) => `- ${r.scenario}/${r.backend}: ${n}`));
  if (notes.length) lines.push('', 'Notes:', ...notes);
  return lines.join('\n');
}

export function writeReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${report.startedAt.replaceAll(':', '-').replace(/\..*/, '')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
