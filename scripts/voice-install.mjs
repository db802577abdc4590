#!/usr/bin/env node
// `npm run voice:install`: builds the pinned LiveKit server with Go into .cache/livekit so that
// `npm start` can spawn it for voice. Pinned because newer releases depend on forked modules the
// Go module proxy does not serve. Also imported by scripts/start.mjs to offer the build.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';

export const LIVEKIT_VERSION = 'v1.13.5';

/**
 * Official release archives, per platform, with the SHA-256 each must have. The Linux values are the
 * ones the v1.13.5 release's checksums.txt publishes (the release host is unreachable from where
 * this was written, so they were taken from that published list, not recomputed here; a wrong value
 * can only make the download refuse and fall back to the Go build). macOS is not pinned: Homebrew's
 * `livekit` or the Go build serve it. A platform without a pinned checksum is never downloaded.
 */
export const LIVEKIT_RELEASES = {
  'linux-x64': {
    file: `livekit_${LIVEKIT_VERSION.slice(1)}_linux_amd64.tar.gz`,
    sha256: 'c020fac437b7cc9b776eef1ad5ea8af77be9acfa07602eca20a3a44930dfbc70',
  },
  'linux-arm64': {
    file: `livekit_${LIVEKIT_VERSION.slice(1)}_linux_arm64.tar.gz`,
    sha256: '332015305518765fe05bad74fc3a9d9583e635e7dd130de3c4fc563d69c550f3',
  },
  'darwin-x64': { file: `livekit_${LIVEKIT_VERSION.slice(1)}_darwin_amd64.tar.gz`, sha256: null },
  'darwin-arm64': { file: `livekit_${LIVEKIT_VERSION.slice(1)}_darwin_arm64.tar.gz`, sha256: null },
};
export const LIVEKIT_DOWNLOAD_BASE =
  process.env.LIVEKIT_DOWNLOAD_BASE || `https://github.com/livekit/livekit/releases/download/${LIVEKIT_VERSION}`;

/**
 * Downloads `release.file` from `base`, checks its SHA-256 against `release.sha256` BEFORE anything
 * is unpacked, then extracts only `livekit-server` into `dest` (atomically, mode 0755). A mismatch
 * or a missing pinned checksum throws and leaves nothing behind.
 */
export async function downloadLivekit({ base = LIVEKIT_DOWNLOAD_BASE, release, dest = cachedBinary, log = console.log } = {}) {
  if (!release?.sha256) throw new Error(`no pinned SHA-256 for this platform's LiveKit release; not downloading`);
  const url = `${base.replace(/\/$/, '')}/${release.file}`;
  log(`voice: downloading ${url}…`);
  const res = await fetch(url, { signal: AbortSignal.timeout(600_000) });
  if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status} for ${url}`);
  const total = Number(res.headers.get('content-length')) || 0;
  const chunks = [];
  let got = 0;
  let shown = Date.now();
  for await (const chunk of res.body) {
    chunks.push(chunk);
    got += chunk.length;
    if (Date.now() - shown > 5000) {
      shown = Date.now();
      log(`voice: ${Math.round(got / 1e6)} MB${total ? ` of ${Math.round(total / 1e6)} MB` : ''}…`);
    }
  }
  const archive = Buffer.concat(chunks);
  const sum = createHash('sha256').update(archive).digest('hex');
  if (sum !== release.sha256) {
    throw new Error(`checksum mismatch for ${release.file}: expected ${release.sha256}, got ${sum}; refusing to unpack it`);
  }
  const tar = (await import('tar-stream')).default;
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks = [];
      for await (const c of entry) chunks.push(c);
      if (basename(entry.header.name) === 'livekit-server' && entry.header.type === 'file') return Buffer.concat(chunks);
    }
    return null;
  })();
  Readable.from([archive]).pipe(createGunzip()).pipe(extract);
  const binary = await done;
  if (!binary) throw new Error(`${release.file} holds no livekit-server`);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(`${dest}.partial`, binary, { mode: 0o755 });
  renameSync(`${dest}.partial`, dest);
  log(`voice: livekit-server ${LIVEKIT_VERSION} verified (sha256 ${sum.slice(0, 12)}…) and installed at ${dest}`);
  return dest;
}

/** This platform's pinned release, unless LIVEKIT_DOWNLOAD=off (offline hosts, CI): then PATH or the Go build. */
export const platformRelease = () =>
  process.env.LIVEKIT_DOWNLOAD === 'off' ? undefined : LIVEKIT_RELEASES[`${process.platform}-${process.arch}`];
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
  if (process.env.LIVEKIT_URL) return console.log('voice: using the LiveKit at LIVEKIT_URL');
  const found = findLivekit();
  if (found) return console.log(`voice: using ${found}`);
  const release = platformRelease();
  if (release?.sha256) {
    try {
      await downloadLivekit({ release });
      return;
    } catch (err) {
      console.log(`voice: ${err.message}; trying the Go build instead.`);
    }
  }
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
    .then(
      (a) => a.trim().toLowerCase(),
      () => '',
    );
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
  } else if (platformRelease()?.sha256) {
    // The release archive first; when it cannot be had (offline, refused), the Go build.
    downloadLivekit({ release: platformRelease() })
      .catch((err) => {
        if (!hasGo()) throw err;
        console.log(`voice: ${err.message}; building with Go instead.`);
        return buildLivekit();
      })
      .catch((err) => {
        console.error(`voice: ${err.message}`);
        process.exit(1);
      });
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
