import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../test/helper.js';

/**
 * A real LAN, made of two network namespaces of this test's own ("server" and "friend") joined by
 * a veth pair with 10.231.0.1/.2, addresses that exist only inside them: nothing leaves those two
 * namespaces. The server (`node server/dist/main.js`, as `npm start` runs it) and its LiveKit run
 * in "server"; in "friend", mDNS finds it and Chromium, trusting only our CA, registers and joins
 * voice; a second participant hears the friend. Then UDP (and ICE/TCP) to LiveKit's media ports
 * is blocked on the friend's side and the audio must come through LiveKit's TURN.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const livekit = process.env.LIVEKIT_BIN ?? join(root, '.cache/livekit/livekit-server');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SERVER_IP = '10.231.0.1';
/** A one-line script printing the IPv4 addresses mDNS gives for a name. */
const RESOLVE = (name: string) =>
  `import { resolveHost } from ${JSON.stringify(join(root, 'scripts/discover.mjs'))}; console.log(JSON.stringify(await resolveHost(${JSON.stringify(name)}, { timeoutMs: 8000 })));`;
const FRIEND_IP = '10.231.0.2';

function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

/** Why this machine cannot run the test, or null. */
function missing(): string | null {
  if (backend !== 'pglite') return 'runs once, on the pglite project (the server in the namespace uses its own PGlite)';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return 'no `ip netns` (iproute2)';
  const probe = `rcprobe${randomBytes(3).toString('hex')}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'network namespaces cannot be created here';
  spawnSync('ip', ['netns', 'del', probe]);
  if (!existsSync(livekit)) return `no livekit-server at ${livekit} (npm run voice:install)`;
  if (!existsSync(chromium)) return `no Chromium at ${chromium}`;
  if (!existsSync(join(root, 'server/dist/main.js')) || !existsSync(join(root, 'web/build/index.html'))) return 'run `npm run build` first';
  if (spawnSync('nft', ['--version']).status !== 0) return 'no nft (apt-get install nftables)';
  return null;
}
const why = missing();
if (why) console.warn(`lan.slow.test: skipped: ${why}`);

/** A process whose stdout is JSON lines (or pino logs); `next` waits for a line matching. */
function lines(child: ChildProcess, label: string) {
  const seen: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const waiters: { pred: (o: Record<string, unknown>) => boolean; resolve: (o: Record<string, unknown>) => void }[] = [];
  const onLine = (line: string) => {
    raw.push(line);
    if (raw.length > 400) raw.shift();
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      o = { text: line };
    }
    seen.push(o);
    for (const w of [...waiters]) {
      if (w.pred(o)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(o);
      }
    }
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
  return {
    seen,
    raw,
    next(pred: (o: Record<string, unknown>) => boolean, ms: number, what: string): Promise<Record<string, unknown>> {
      const hit = seen.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${label}: no ${what} within ${ms} ms; last output:\n${raw.slice(-25).join('\n')}`)),
          ms,
        );
        waiters.push({
          pred,
          resolve: (o) => {
            clearTimeout(timer);
            resolve(o);
          },
        });
      });
    },
  };
}

/** A looped, speech-like microphone file for Chromium (its default fake beep is mostly silence). */
function speechWav(dir: string): string {
  const rate = 48000;
  const n = rate * 2;
  const data = Buffer.alloc(44 + n * 2);
  data.write('RIFF', 0);
  data.writeUInt32LE(36 + n * 2, 4);
  data.write('WAVEfmt ', 8);
  data.writeUInt32LE(16, 16);
  data.writeUInt16LE(1, 20);
  data.writeUInt16LE(1, 22);
  data.writeUInt32LE(rate, 24);
  data.writeUInt32LE(rate * 2, 28);
  data.writeUInt16LE(2, 32);
  data.writeUInt16LE(16, 34);
  data.write('data', 36);
  data.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    data.writeInt16LE(Math.round((Math.sin(2 * Math.PI * 220 * t) + 0.5 * Math.sin(2 * Math.PI * 440 * t)) * 9000), 44 + i * 2);
  }
  const file = join(dir, 'speech.wav');
  writeFileSync(file, data);
  return file;
}

describe.skipIf(!!why)('Retrocast on a LAN (network namespaces)', () => {
  const id = randomBytes(3).toString('hex');
  const ns = { server: `rcl${id}s`, friend: `rcl${id}f` };
  const veth = { server: `rcl${id}a`, friend: `rcl${id}b` };
  const work = mkdtempSync(join(tmpdir(), 'rc-lan-'));
  const artifacts = join(root, 'e2e/artifacts');
  const children: ChildProcess[] = [];
  let server: ReturnType<typeof lines>;
  let friend: ReturnType<typeof lines>;
  let friendProc: ChildProcess;
  let serverProc: ChildProcess;
  let listener: ReturnType<typeof lines> | undefined;

  const inNs = (name: string, cmd: string[], env: Record<string, string> = {}) => {
    const child = spawn('ip', ['netns', 'exec', name, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...cmd], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  };

  function cleanUp() {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // Anything still running inside our namespaces was started by this test (Chromium, LiveKit).
    for (const name of Object.values(ns)) {
      const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
      spawnSync('ip', ['netns', 'del', name]);
    }
    rmSync(work, { recursive: true, force: true });
  }

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    try {
      sh('ip', ['netns', 'add', ns.server]);
      sh('ip', ['netns', 'add', ns.friend]);
      sh('ip', ['link', 'add', veth.server, 'type', 'veth', 'peer', 'name', veth.friend]);
      for (const side of ['server', 'friend'] as const) {
        const [n, dev, ip] = [ns[side], veth[side], side === 'server' ? SERVER_IP : FRIEND_IP];
        sh('ip', ['link', 'set', dev, 'netns', n]);
        sh('ip', ['-n', n, 'addr', 'add', `${ip}/24`, 'dev', dev]);
        sh('ip', ['-n', n, 'link', 'set', dev, 'up']);
        sh('ip', ['-n', n, 'link', 'set', 'lo', 'up']);
        // mDNS is multicast: send it out of the veth (there is no default route here at all).
        sh('ip', ['-n', n, 'route', 'add', '224.0.0.0/4', 'dev', dev]);
      }
      const dataDir = join(work, 'data');
      const webDir = join(work, 'web');
      cpSync(join(root, 'web/build'), webDir, { recursive: true });
      const proc = inNs(ns.server, [process.execPath, 'server/dist/main.js'], {
        DATA_DIR: dataDir,
        WEB_DIR: webDir,
        HOST: '0.0.0.0',
        PORT: '8080',
        HTTPS_PORT: '8443',
        TLS: 'on',
        MDNS: 'on',
        MDNS_NAME: 'retrocast',
        DATABASE_URL: '',
        REDIS_URL: '',
        LIVEKIT_MODE: 'auto',
        LIVEKIT_BIN: livekit,
        LIVEKIT_NODE_IP: SERVER_IP,
        LIVEKIT_PORT: '7880',
        LIVEKIT_TCP_PORT: '7881',
        LIVEKIT_UDP_PORT: '7882',
        LIVEKIT_TURN: 'on',
        LIVEKIT_TURN_UDP_PORT: '3478',
        LIVEKIT_TURN_TLS_PORT: '5349',
        RATE_LIMIT_DISABLED: '1',
        LOG_LEVEL: 'info',
      });
      serverProc = proc;
      server = lines(proc, 'server');
      await server.next((o) => String(o.msg ?? '').startsWith('voice: livekit-server running'), 120_000, 'LiveKit up');
      await server.next((o) => String(o.msg ?? '').startsWith('mdns: advertising'), 60_000, 'mDNS advertising');
      friendProc = inNs(ns.friend, [process.execPath, 'server/src/test/lan-friend.mjs', SERVER_IP, speechWav(work), artifacts], {
        CHROMIUM_PATH: chromium,
        HOME: work,
      });
      friend = lines(friendProc, 'friend');
    } catch (err) {
      cleanUp();
      throw err;
    }
  }, 240_000);

  afterAll(() => {
    if (listener) for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    cleanUp();
  });

  it('npm start prints the HTTPS, retrocast.local and /setup URLs', () => {
    const text = server.raw.join('\n');
    expect(text).toContain(`https://${SERVER_IP}:8443`);
    expect(text).toContain('https://retrocast.local:8443');
    expect(text).toContain('http://localhost:8080/setup');
  });

  it('the friend finds retrocast.local and _retrocast._tcp over mDNS', async () => {
    const mdns = await friend.next((o) => o.step === 'mdns', 60_000, 'mDNS results');
    expect(mdns.addresses).toEqual([SERVER_IP]);
    const services = mdns.services as { instance: string; host: string; port: number; addresses: string[]; txt: Record<string, string> }[];
    expect(services).toHaveLength(1);
    expect(services[0]).toMatchObject({ host: 'retrocast.local', port: 8443, addresses: [SERVER_IP] });
    expect(services[0].txt).toMatchObject({ https_port: '8443' });
    expect(services[0].txt.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(services[0].txt.ca_sha256).toMatch(/^[0-9A-F]{64}$/);
    // `_https._tcp` points browsers and tools at the same name and port.
    expect(mdns.https).toEqual([expect.objectContaining({ host: 'retrocast.local', port: 8443 })]);
    // `npm run discover` says the same to a person.
    const cli = sh('ip', ['netns', 'exec', ns.friend, process.execPath, join(root, 'scripts/discover.mjs'), '3']);
    expect(cli).toContain('https://retrocast.local:8443');
    expect(cli).toContain(`https://${SERVER_IP}:8443`);
  });

  it('plain HTTP from the network redirects to HTTPS, but /setup and /ca.crt are served', async () => {
    const http = await friend.next((o) => o.step === 'http', 60_000, 'HTTP checks');
    expect(http).toMatchObject({
      rootStatus: 308,
      rootLocation: `https://${SERVER_IP}:8443/channels/@me`,
      setupStatus: 200,
      setupHasQr: true,
    });
    const mdns = await friend.next((o) => o.step === 'mdns', 1000, 'mDNS results');
    // The CA the friend downloaded is the one mDNS advertised.
    expect(http.caFingerprint).toBe((mdns.services as { txt: Record<string, string> }[])[0].txt.ca_sha256);
    await friend.next((o) => o.step === 'screenshots', 120_000, '/setup screenshots');
  });

  it('Chromium trusting only our CA opens https://retrocast.local:8443, registers and joins voice; a second participant hears it', async () => {
    const opened = await friend.next((o) => o.step === 'opened' || o.step === 'error', 120_000, 'the page');
    expect(opened).toMatchObject({ step: 'opened', secure: true });
    expect(String(opened.url)).toMatch(/^https:\/\/retrocast\.local:8443\//);
    const reg = await friend.next((o) => o.step === 'registered' || o.step === 'error', 120_000, 'registration');
    expect(reg.step, JSON.stringify(reg)).toBe('registered');
    const voice = await friend.next((o) => o.step === 'voice', 150_000, 'voice connected');
    expect(voice, JSON.stringify(voice)).toMatchObject({ connected: true });

    const guild = reg.guild as { invite: string; voice: string };
    const ear = inNs(ns.server, [process.execPath, 'server/src/test/lan-listener.mjs', 'http://127.0.0.1:8080', guild.invite, guild.voice]);
    listener = lines(ear, 'listener');
    const joining = await listener.next((o) => o.step === 'joining', 60_000, 'voice join');
    // Signalling through our own origin, not LiveKit's port.
    expect(joining.url).toBe('ws://127.0.0.1:8080/livekit');
    await listener.next((o) => o.step === 'heard' && Number(o.loud) >= 25, 90_000, 'non-silent audio from the friend');
  });

  it('with UDP (and ICE/TCP) to LiveKit blocked on the friend side, audio still flows through TURN', async () => {
    expect(listener, 'the voice test ran').toBeDefined();
    const ear = listener as ReturnType<typeof lines>;
    sh(
      'ip',
      ['netns', 'exec', ns.friend, 'nft', '-f', '-'],
      `table inet rcblock {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr ${SERVER_IP} udp dport 7882 counter drop
    ip daddr ${SERVER_IP} tcp dport 7881 counter drop
    ip daddr ${SERVER_IP} udp dport 3478 counter accept
  }
}
`,
    );
    const before = Math.max(0, ...ear.seen.filter((o) => o.step === 'heard').map((o) => Number(o.loud)));
    friendProc.stdin?.write('rejoin\n');
    const again = await friend.next((o) => o.step === 'voice-again', 150_000, 'voice connected again');
    expect(again, JSON.stringify(again)).toMatchObject({ connected: true });
    const after = await ear.next((o) => o.step === 'heard' && Number(o.loud) >= before + 100, 90_000, 'audio through TURN');
    expect(Number(after.loud)).toBeGreaterThanOrEqual(before + 100);
    const rules = sh('ip', ['netns', 'exec', ns.friend, 'nft', 'list', 'chain', 'inet', 'rcblock', 'out']);
    const counter = (port: string) => Number(rules.match(new RegExp(`dport ${port} counter packets (\\d+)`))?.[1] ?? 0);
    console.log(
      `lan: media UDP dropped ${counter('7882')} packets, ICE/TCP dropped ${counter('7881')}, TURN UDP carried ${counter('3478')}`,
    );
    expect(counter('3478')).toBeGreaterThan(50);
    friendProc.stdin?.write('quit\n');
  });

  it('a second Retrocast on the network answers as retrocast-2.local, with a certificate for it', async () => {
    const second = lines(
      inNs(ns.friend, [process.execPath, 'server/dist/main.js'], {
        DATA_DIR: join(work, 'data-2'),
        HOST: '0.0.0.0',
        PORT: '8080',
        HTTPS_PORT: '8443',
        TLS: 'on',
        MDNS: 'on',
        DATABASE_URL: '',
        REDIS_URL: '',
        LIVEKIT_MODE: 'off',
        LOG_LEVEL: 'info',
      }),
      'second server',
    );
    await second.next((o) => String(o.msg ?? '').includes('answering as retrocast-2.local'), 120_000, 'the rename');
    await second.next((o) => String(o.msg ?? '').startsWith('mdns: advertising retrocast-2.local'), 60_000, 'advertising the new name');
    const found = sh('ip', ['netns', 'exec', ns.server, process.execPath, '--input-type=module', '-e', RESOLVE('retrocast-2.local')]);
    expect(JSON.parse(found), second.raw.slice(-12).join('\n')).toEqual([FRIEND_IP]);
    // The first server still owns retrocast.local.
    expect(
      JSON.parse(sh('ip', ['netns', 'exec', ns.server, process.execPath, '--input-type=module', '-e', RESOLVE('retrocast.local')])),
    ).toEqual([SERVER_IP]);
    const cert = new X509Certificate(readFileSync(join(work, 'data-2/tls/server.crt')));
    expect(cert.subjectAltName).toContain('DNS:retrocast-2.local');
  });

  it('withdraws its mDNS records on shutdown (goodbye packets)', async () => {
    const watcher = lines(inNs(ns.friend, [process.execPath, 'server/src/test/lan-goodbye.mjs', '30000']), 'goodbye');
    await watcher.next((o) => o.step === 'listening', 30_000, 'mDNS listener');
    serverProc.kill('SIGTERM');
    const bye = await watcher.next((o) => o.step === 'goodbye', 60_000, 'goodbye packets');
    expect(bye.records).toEqual(expect.arrayContaining(['PTR _retrocast._tcp.local', 'A retrocast.local']));
    await server.next((o) => String(o.msg ?? '').startsWith('shutting down'), 10_000, 'shutdown');
  });
});
