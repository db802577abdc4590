// Writes brotli (.br) and gzip (.gz) beside every compressible file of the built client, so the
// server sends them as they are (no compression per request; @fastify/static `preCompressed`).
// Every size, since code splitting makes many small chunks (a 500-byte chunk still loses ~40% in
// brotli), but only variants smaller than the original.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const build = new URL('../build', import.meta.url).pathname;
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|webmanifest|txt|xml|map)$/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.test(name)) yield path;
  }
}

let raw = 0;
let br = 0;
let count = 0;
for (const path of files(build)) {
  // index.html is served by the server with its CSP header, never as a static file.
  if (path === join(build, 'index.html')) continue;
  const buf = readFileSync(path);
  const b = brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
  const g = gzipSync(buf, { level: 9 });
  if (b.length < buf.length) writeFileSync(`${path}.br`, b);
  if (g.length < buf.length) writeFileSync(`${path}.gz`, g);
  raw += buf.length;
  br += Math.min(b.length, buf.length);
  count++;
}
console.log(`precompressed ${count} files: ${(raw / 1024).toFixed(1)} KB → ${(br / 1024).toFixed(1)} KB brotli`);
