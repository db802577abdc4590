import { readFileSync } from 'node:fs';

/**
 * Top functions of a V8 .cpuprofile by self time, and by file: `npx tsx bench/src/profile-summary.ts
 * <file.cpuprofile> [top] [lastSeconds]`. lastSeconds keeps only the samples of the final seconds
 * before the server exited (the measured phase, not the setup). Enough to find a hot path without
 * opening DevTools.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const [file, topArg, lastArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [top]');
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};
// Self hits per node, from the sample stream (optionally only its tail).
const hits = new Map<number, number>();
const from = lastArg ? profile.endTime - Number(lastArg) * 1e6 : 0;
let t = profile.startTime;
let total = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i];
  if (t < from) return;
  hits.set(id, (hits.get(id) ?? 0) + 1);
  total++;
});
for (const n of profile.nodes) n.hitCount = hits.get(n.id) ?? 0;
const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '~/')
    .replace(/.*\/server\/dist\//, 'server/');

const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of profile.nodes) {
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}`;
  byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount);
  const f = url ? short(url).split('/').slice(0, 3).join('/') : functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + n.hitCount);
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${file}: ${total} samples over ${((profile.endTime - Math.max(from, profile.startTime)) / 1e6).toFixed(1)} s`);
show('self time by function', byFn);
show('self time by file/package', byFile);
