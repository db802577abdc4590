import { readFileSync } from 'node:fs';
import { type BenchReport, renderTable } from './report.js';

/**
 * One table from several result files (a full run is often split in parts):
 * `npx tsx bench/src/render.ts bench/results/a.json bench/results/b.json`. Machine and server
 * lines come from the first file.
 */
const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: render <result.json>...');
  process.exit(1);
}
const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchReport);
const merged: BenchReport = { ...reports[0], results: reports.flatMap((r) => r.results) };
console.log(renderTable(merged));
