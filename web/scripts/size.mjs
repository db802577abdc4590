// Reports what a first visit to a guild channel (/channels/:guildId/:channelId) downloads of JS and
// CSS, as the server sends it: Kit's entry and app chunks, the root layout, the /channels layout and
// the channel page (the nodes that route's entry in Kit's route dictionary names), everything they
// import statically, and the CSS of all those. Dynamic imports (settings, pickers, modals, voice,
// emoji data) are not counted: they load on demand. Sizes are brotli at the level precompress.mjs
// uses (or the file as is where that is smaller: it is then served uncompressed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Issue 16's goal for the first load over the wire (JS + CSS, compressed). */
const GOAL_KB = 90;
const ROUTE = '/channels/[guildId]/[channelId]';

const web = new URL('..', import.meta.url).pathname;
const client = join(web, '.svelte-kit/output/client');
const manifest = JSON.parse(readFileSync(join(client, '.vite/manifest.json'), 'utf8'));
const gen = '.svelte-kit/generated/client-optimized/';

// app.js: `"/channels/[guildId]/[channelId]": [5,[2]]` = [leaf, [layouts], [errors]] (a node with a
// server load is written as ~n; holes for levels without one). Node 0 is the root layout; node 1
// is the root error page, which Kit's client fetches at start (client.js: `void
// default_error_loader()`). Other error pages load only on an error.
const app = readFileSync(join(web, gen, 'app.js'), 'utf8');
const entry = app.match(new RegExp(`"${ROUTE.replace(/[[\]/]/g, '\\$&')}":\\s*(\\[[^\\n]*\\])`));
if (!entry) throw new Error(`route ${ROUTE} not found in ${gen}app.js`);
const [leaf, layouts = []] = new Function(`return ${entry[1]}`)();
const nodes = [...new Set([0, 1, ...layouts.filter((n) => n !== undefined), leaf])].map((n) => `${gen}nodes/${n < 0 ? ~n : n}.js`);
const roots = [...Object.keys(manifest).filter((k) => manifest[k].isEntry && !k.startsWith(`${gen}nodes/`)), ...nodes];

const seen = new Set();
const css = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  if (!manifest[key]) throw new Error(`${key} is not in the build manifest`);
  seen.add(key);
  for (const c of manifest[key].css ?? []) css.add(c);
  for (const i of manifest[key].imports ?? []) visit(i);
};
roots.forEach(visit);

const served = (buf, compressed) => Math.min(buf.length, compressed);
const brotli = (buf) =>
  brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length;
const files = [...[...seen].map((k) => manifest[k].file), ...css];
let raw = 0;
let br = 0;
let gz = 0;
for (const file of files) {
  const buf = readFileSync(join(client, file));
  raw += buf.length;
  br += served(buf, brotli(buf));
  gz += served(buf, gzipSync(buf, { level: 9 }).length);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const met = br <= GOAL_KB * 1024;
console.log(
  `first load of a channel view (JS + CSS): ${files.length} files (${seen.size} JS, ${css.size} CSS), ${kb(raw)} raw, ` +
    `${kb(br)} brotli, ${kb(gz)} gzip — goal ≤ ${GOAL_KB} KB brotli: ${met ? 'met' : 'NOT MET'}`,
);
