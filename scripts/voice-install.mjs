#!/usr/bin/env node
// `npm run voice:install`: builds the pinned LiveKit server with Go into .cache/livekit so that
// `npm start` can spawn it for voice. Pinned because newer releases depend on forked modules the
// Go module proxy does not serve. Also imported by scripts/start.mjs to offer the build.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';

export const LIVEKIT_VERSION = 'v1.13.5';
const root = fileURLToPath(new URL('..', import.meta.url));
export const cacheDir = join(root, '.cache', 'livekit');
export const cachedBinary = join(cacheDir, 'livekit-server');

/** A livekit-server the server would find: LIVEKIT_BIN, PATH, or the cache (same order as server). */
export function findLivekit(env = process.env) {
  if (env.LIVEKIT_BIN) return existsSync(env.LIVEKIT_BIN) ? env.LIVEKIT_BIN : null;
  for (const dir of (env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'livekit-server'))) return join(dir, 'livekit-server');
  return existsSync(cachedBinary) ? cachedBinary : null;
}

export function hasGo() {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Runs `go install` with a progress line every few seconds; resolves to the binary path. */
export async function buildLivekit() {
  mkdirSync(cacheDir, { recursive: true });
  console.log(`voice: building livekit-server ${LIVEKIT_VERSION} with Go into ${cacheDir} (about 3 minutes on 2 cores)…`);
  const started = Date.now();
  const child = spawn('go', ['install', `github.com/livekit/livekit-server/cmd/server@${LIVEKIT_VERSION}`], {
    env: { ...process.env, GOBIN: cacheDir },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let lastLine = '';
  child.stderr.on('data', (chunk) => {
    const lines = chunk.toString().trim().split('\n');
    lastLine = lines[lines.length - 1] ?? lastLine;
  });
  const tick = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`voice: still building (${s}s)${lastLine ? ` — ${lastLine.slice(0, 100)}` : ''}`);
  }, 15_000);
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(tick);
  if (code !== 0) throw new Error(`go install failed (exit ${code})${lastLine ? `: ${lastLine}` : ''}`);
  // The module's command is named `server`; give it the name everything else looks for.
  rmSync(cachedBinary, { force: true });
  renameSync(join(cacheDir, 'server'), cachedBinary);
  console.log(`voice: livekit-server ready at ${cachedBinary} (${Math.round((Date.now() - started) / 1000)}s)`);
  return cachedBinary;
}

/**
 * For `npm start`: when no livekit-server is found but Go is, offer to build it (asks on a
 * terminal; otherwise prints how). Never fails the start: voice is optional.
 */
export async function offerLivekit() {
  if (findLivekit() || process.env.LIVEKIT_URL) return;
  if (!hasGo()) {
    console.log('voice: no livekit-server found and Go is not installed; voice stays off (see README "Voice").');
    return;
  }
  if (!process.stdin.isTTY) {
    console.log('voice: no livekit-server found; run `npm run voice:install` to enable voice.');
    return;
  }
  // Minutes of building is not something to do by default: no answer (or none in 20 s) is "no".
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const timeout = AbortSignal.timeout(20_000);
  const answer = await rl
    .question('voice: no livekit-server found. Build it now with Go (about 3 minutes)? [y/N] ', { signal: timeout })
    .then((a) => a.trim().toLowerCase(), () => '');
  rl.close();
  if (answer !== 'y' && answer !== 'yes') {
    console.log('\nvoice: starting without voice; `npm run voice:install` builds it later.');
    return;
  }
  try {
    await buildLivekit();
  } catch (err) {
    console.log(`voice: ${err.message}; starting without voice.`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  if (!force && existsSync(cachedBinary)) {
    console.log(`voice: ${cachedBinary} already built (use --force to rebuild)`);
  } else if (!hasGo()) {
    console.error('voice: Go is not installed. Install Go 1.23+ (https://go.dev/dl/), or on macOS `brew install livekit`.');
    process.exit(1);
  } else {
    buildLivekit().catch((err) => {
      console.error(`voice: ${err.message}`);
      process.exit(1);
    });
  }
}
