#!/usr/bin/env node
// Does every installed package accept the oldest Node we support (root package.json `engines.node`)?
// npm only warns about a mismatch (EBADENGINE); this fails instead, so a dependency bump that needs a
// newer Node is caught in CI. Usage: node scripts/check-engines.mjs [root] (default: this repository).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const read = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
};
const declared = read(join(root, 'package.json'))?.engines?.node;
const oldest = declared && semver.minVersion(declared);
if (!oldest) {
  console.error(`check-engines: ${root}/package.json declares no engines.node`);
  process.exit(2);
}

/** Every package directory under a node_modules folder, nested ones included. */
function* packages(modules) {
  let entries;
  try {
    entries = readdirSync(modules, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dir = join(modules, e.name);
    if (e.name.startsWith('@')) {
      for (const s of readdirSync(dir, { withFileTypes: true })) if (s.isDirectory()) yield* one(join(dir, s.name));
    } else yield* one(dir);
  }
}
function* one(dir) {
  yield dir;
  yield* packages(join(dir, 'node_modules'));
}

const bad = [];
let count = 0;
const workspaces = (read(join(root, 'package.json'))?.workspaces ?? []).map((w) => join(root, w, 'node_modules'));
for (const modules of [join(root, 'node_modules'), ...workspaces]) {
  for (const dir of packages(modules)) {
    const pkg = read(join(dir, 'package.json'));
    if (!pkg?.name) continue;
    count++;
    const range = pkg.engines?.node;
    if (typeof range !== 'string' || !range.trim()) continue;
    if (!semver.satisfies(oldest, range, { includePrerelease: true, loose: true }))
      bad.push(`${relative(root, dir)}@${pkg.version} wants node ${range}`);
  }
}
if (bad.length) {
  console.error(`check-engines: ${bad.length} package(s) do not run on Node ${oldest} (engines.node ${declared}):`);
  for (const b of bad) console.error(`  ${b}`);
  console.error('Pin a version that supports it (package.json "overrides"), or raise engines.node deliberately.');
  process.exit(1);
}
console.log(`check-engines: all ${count} installed packages accept Node ${oldest}`);
