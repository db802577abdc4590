// Reports the JS a first visit downloads: the entry + app chunks index.html preloads, gzipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = new URL('../build/', import.meta.url).pathname;
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const files = new Set([...html.matchAll(/(?:href|import\()\s*=?\s*"([^"]+\.js)"/g)].map((m) => m[1].replace(/^\.?\//, '')));
let raw = 0;
let gz = 0;
for (const f of files) {
  const buf = readFileSync(join(dir, f));
  raw += buf.length;
  gz += gzipSync(buf).length;
}
console.log(`first-load JS: ${files.size} files, ${(raw / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped`);
