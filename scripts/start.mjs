#!/usr/bin/env node
// `npm start`: one command from a fresh clone. Installs dependencies and builds on first run (or
// when sources are newer than the build), then runs the server in this process's place.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

/** Newest mtime of code under dir; tests and docs are not built, so they must not trigger a build. */
function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'test' || /\.(test|spec)\.ts$/.test(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.(ts|js|svelte|css|html)$/.test(entry.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

if (!existsSync(join(root, 'node_modules'))) {
  console.log('retrocast: installing dependencies (first run)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
// tsc -b re-emits only changed files, so compare newest source with newest output, not main.js.
const serverStale = !existsSync(join(root, 'server/dist/main.js')) ||
  Math.max(newest(join(root, 'server/dist')), newest(join(root, 'protocol/dist'))) < Math.max(newest(join(root, 'server/src')), newest(join(root, 'protocol/src')));
const webStale = existsSync(join(root, 'web/src')) && mtime(join(root, 'web/build/index.html')) < newest(join(root, 'web/src'));
if (serverStale || webStale) {
  console.log('retrocast: building…');
  run('npm', ['run', 'build']);
}

// Voice is optional: offers to build livekit-server when Go is present and none is found.
await (await import('./voice-install.mjs')).offerLivekit();

const child = spawn(process.execPath, [join(root, 'server/dist/main.js')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
