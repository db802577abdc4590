#!/usr/bin/env node
// `npm start`: one command from a fresh clone. Installs dependencies and builds on first run (or
// when sources are newer than the build), then runs the server in this process's place.
import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serverNodeFlags } from './server-node-flags.mjs';

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

/**
 * Installs when node_modules is missing or package-lock.json changed since the last install (a
 * `git pull` that brought new dependencies), with a line every 10 s so a first start is not two
 * silent minutes. The lock's hash is kept in node_modules/.retrocast-lock so a mere touch of the
 * file (a checkout) does not reinstall.
 */
function installIfNeeded() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.retrocast-lock');
  const installed = join(root, 'node_modules', '.package-lock.json');
  const hash = existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex') : '';
  if (existsSync(installed)) {
    if (mtime(installed) >= mtime(lock)) return;
    if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return;
  }
  const why = existsSync(installed) ? 'package-lock.json changed' : 'first run';
  console.log(`retrocast: installing dependencies (${why}; about 2 minutes on a fresh machine)…`);
  const started = Date.now();
  const tick = setInterval(() => console.log(`retrocast: still installing (${Math.round((Date.now() - started) / 1000)} s)…`), 10_000);
  const r = spawnSync('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: root, stdio: 'inherit' });
  clearInterval(tick);
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(marker, hash);
  console.log(`retrocast: dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}
installIfNeeded();
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

const child = spawn(process.execPath, [...serverNodeFlags(), join(root, 'server/dist/main.js')], { cwd: root, stdio: 'inherit' });
// SIGTERM/SIGINT to this process (npm runs it with `exec`, so `kill -TERM <npm pid>` lands here
// too) go to the server, which closes gateway sessions resumably, stops LiveKit and exits.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig === 'SIGHUP' ? 'SIGTERM' : sig));
// If whoever started us dies without a signal (npm killed with -9), stop rather than run orphaned.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 2000).unref();
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
