// Reports the JS a first visit to a channel downloads (gzipped): Kit's entry and app chunks, the
// root layout, the /channels layout and pages, and everything they import statically. Lazy
// chunks (settings, emoji data, voice, dynamic imports) are not counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const web = new URL('..', import.meta.url).pathname;
const client = join(web, '.svelte-kit/output/client');
const manifest = JSON.parse(readFileSync(join(client, '.vite/manifest.json'), 'utf8'));
const gen = '.svelte-kit/generated/client-optimized/';
const roots = Object.keys(manifest).filter((k) => {
  if (!manifest[k].isEntry) return false;
  if (!k.startsWith(`${gen}nodes/`)) return true; // start + app
  if (k.endsWith('/nodes/0.js')) return true; // root layout
  return readFileSync(join(web, k), 'utf8').includes('routes/channels/');
});
const seen = new Set();
const visit = (key) => {
  if (seen.has(key) || !manifest[key]) return;
  seen.add(key);
  for (const i of manifest[key].imports ?? []) visit(i);
};
roots.forEach(visit);
let raw = 0;
let gz = 0;
for (const key of seen) {
  const buf = readFileSync(join(client, manifest[key].file));
  raw += buf.length;
  gz += gzipSync(buf).length;
}
console.log(`first-load JS (channel view): ${seen.size} files, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (budget 150 KB)`);
