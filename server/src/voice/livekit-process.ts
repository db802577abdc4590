import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import type { VoiceConfig } from './config.js';
import { findPortClash, isOurLiveKit, loopbackOnly, mediaBindYaml } from './livekit-checks.js';

/**
 * The LiveKit this server uses: an external one (LIVEKIT_URL + key + secret) or a livekit-server
 * child process spawned with keys generated once into DATA_DIR and webhooks pointed back at us.
 */
export interface LiveKit {
  mode: 'external' | 'spawned';
  apiKey: string;
  apiSecret: string;
  /** http(s) base for RoomService calls from this server. */
  serviceUrl: string;
  /**
   * ws(s) URL a client connects to. `origin` is ours as the client reached it (`wss://host:8443`):
   * a spawned LiveKit is handed out behind our own origin at /livekit (voice/proxy.ts).
   */
  clientUrl(origin?: string): string;
  /** Resolves once LiveKit answers (false when the child failed to start). */
  ready: Promise<boolean>;
  /** True while LiveKit is (believed to be) up. */
  up(): boolean;
  close(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** LIVEKIT_BIN, else `livekit-server` on PATH, else the build of `npm run voice:install`. */
export function findLiveKitBinary(cfg: VoiceConfig): string | null {
  if (cfg.bin) return existsSync(cfg.bin) ? cfg.bin : null;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'livekit-server'))) return join(dir, 'livekit-server');
  }
  const cached = join(repoRoot, '.cache', 'livekit', 'livekit-server');
  return existsSync(cached) ? cached : null;
}

/** API key + secret for the spawned LiveKit, generated once so tokens survive restarts. */
function loadKeys(dataDir: string): { key: string; secret: string } {
  const file = join(dataDir, 'livekit-keys.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const keys = { key: `API${randomBytes(6).toString('hex')}`, secret: randomBytes(32).toString('base64url') };
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}

/** LiveKit's YAML config; written to a 0600 file because it holds the secret. */
function configYaml(cfg: VoiceConfig, keys: { key: string; secret: string }, webhookUrl: string): string {
  return [
    `port: ${cfg.port}`,
    'rtc:',
    `  tcp_port: ${cfg.tcpPort}`,
    `  udp_port: ${cfg.udpPort}`,
    '  use_external_ip: false',
    ...mediaBindYaml(cfg, loopbackOnly()),
    'keys:',
    `  ${keys.key}: ${keys.secret}`,
    'webhook:',
    `  api_key: ${keys.key}`,
    '  urls:',
    `    - ${JSON.stringify(webhookUrl)}`,
    ...turnYaml(cfg),
    'logging:',
    '  level: warn',
    '',
  ].join('\n');
}

/**
 * LiveKit's embedded TURN, for friends whose UDP to the media port is blocked: TURN over UDP
 * (advertised to clients as turn:<node ip>:<udp port>) and TURN/TLS with our certificate. The
 * relay may reach the SFU itself (a private address on a LAN) and nothing else.
 */
function turnYaml(cfg: VoiceConfig): string[] {
  const t = cfg.turn;
  if (!t.enabled) return [];
  const tls = t.tlsPort > 0 && t.certFile && t.keyFile;
  const host = cfg.nodeIp.includes(':') ? `${cfg.nodeIp}/128` : `${cfg.nodeIp}/32`;
  return [
    'turn:',
    '  enabled: true',
    `  udp_port: ${t.udpPort}`,
    ...(tls
      ? [
          `  tls_port: ${t.tlsPort}`,
          `  domain: ${t.domain}`,
          `  cert_file: ${JSON.stringify(t.certFile)}`,
          `  key_file: ${JSON.stringify(t.keyFile)}`,
        ]
      : []),
    '  allow_restricted_peer_cidrs:',
    `    - ${host}`,
  ];
}

const httpBase = (wsUrl: string) => wsUrl.replace(/^ws(s?):/, 'http$1:');
const wsBase = (httpUrl: string) => httpUrl.replace(/^http(s?):/, 'ws$1:');

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

export function externalLiveKit(cfg: VoiceConfig & { url: string; apiKey: string; apiSecret: string }): LiveKit {
  return {
    mode: 'external',
    apiKey: cfg.apiKey,
    apiSecret: cfg.apiSecret,
    serviceUrl: httpBase(cfg.url),
    clientUrl: () => cfg.publicUrl ?? wsBase(cfg.url),
    ready: Promise.resolve(true),
    up: () => true,
    close: async () => {},
  };
}

/**
 * A livekit-server left running by a previous run that crashed (its pid is in DATA_DIR) would hold
 * the ports; stop it. Only a process whose command line names livekit is touched.
 */
function stopStale(pidFile: string): void {
  let pid = 0;
  try {
    pid = Number(readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  const cmd = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).stdout ?? '';
  if (!cmd.includes('livekit')) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

/** Spawns `bin` and resolves the handle immediately; `ready` says when (and whether) it is up. */
export function spawnLiveKit(cfg: VoiceConfig, bin: string, dataDir: string, webhookUrl: string, log: FastifyBaseLogger): LiveKit {
  const keys = loadKeys(dataDir);
  const configFile = join(dataDir, 'livekit.yaml');
  writeFileSync(configFile, configYaml(cfg, keys, webhookUrl), { mode: 0o600 });
  const pidFile = join(dataDir, 'livekit.pid');
  stopStale(pidFile);
  const local = cfg.bind === '0.0.0.0' ? '127.0.0.1' : cfg.bind;
  const serviceUrl = `http://${local.includes(':') ? `[${local}]` : local}:${cfg.port}`;
  let isUp = false;
  let closing = false;
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) output.push(line);
    output.splice(0, Math.max(0, output.length - 20));
  };
  let child: ChildProcess | null = null;
  const start = (): ChildProcess => {
    const c = spawn(bin, ['--config', configFile, '--bind', cfg.bind, '--node-ip', cfg.nodeIp], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (c.pid) writeFileSync(pidFile, String(c.pid));
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    c.on('error', (err) => log.error({ err, bin }, 'voice: could not run livekit-server; voice is unavailable'));
    c.on('exit', (code, signal) => {
      isUp = false;
      rmSync(pidFile, { force: true });
      if (!closing) log.error({ code, signal, output: output.slice(-5) }, 'voice: livekit-server exited; voice is unavailable');
    });
    return c;
  };
  if (loopbackOnly())
    log.warn('voice: this machine has no network interface besides loopback; voice works only for clients on this machine');
  let reported = false;
  const ready = (async () => {
    const clash = await findPortClash(cfg);
    if (clash) {
      log.error(clash);
      reported = true;
      return false;
    }
    if (closing) return false;
    const c = start();
    child = c;
    const ok = await waitUntilUp(serviceUrl, c, 20_000);
    // Something answers on the port: make sure it is the LiveKit we started (our keys work).
    if (ok && !(await isOurLiveKit(serviceUrl, keys.key, keys.secret))) {
      reported = true;
      if (!closing) {
        log.error(
          `voice: the LiveKit answering on port ${cfg.port} refuses our API key (not the one we started); set LIVEKIT_PORT; voice is off`,
        );
        c.kill('SIGKILL');
      }
      return false;
    }
    return ok;
  })().then((ok) => {
    isUp = ok;
    if (ok)
      log.info(
        { url: serviceUrl, nodeIp: cfg.nodeIp, udp: cfg.udpPort, tcp: cfg.tcpPort },
        `voice: livekit-server running on port ${cfg.port}`,
      );
    else if (!closing && !reported) {
      log.error({ output: output.slice(-5) }, 'voice: livekit-server did not come up; voice is unavailable');
      child?.kill('SIGKILL');
    }
    return ok;
  });
  return {
    mode: 'spawned',
    apiKey: keys.key,
    apiSecret: keys.secret,
    serviceUrl,
    clientUrl: (origin) => cfg.publicUrl ?? (origin ? `${origin}/livekit` : `ws://${cfg.nodeIp}:${cfg.port}`),
    ready,
    up: () => isUp,
    close: async () => {
      closing = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The LiveKit to use, or null (with one clear log line) when voice is off. `webhookUrl` must reach
 * this server, so this runs once the HTTP port is known.
 */
export function startLiveKit(cfg: VoiceConfig, dataDir: string, webhookUrl: string, log: FastifyBaseLogger): LiveKit | null {
  if (cfg.url && cfg.apiKey && cfg.apiSecret) {
    log.info({ url: cfg.url }, 'voice: using external LiveKit');
    return externalLiveKit({ ...cfg, url: cfg.url, apiKey: cfg.apiKey, apiSecret: cfg.apiSecret });
  }
  if (cfg.mode === 'off') {
    log.info('voice: disabled (LIVEKIT_MODE=off); voice joins will fail');
    return null;
  }
  const bin = findLiveKitBinary(cfg);
  if (!bin) {
    log.warn('voice: no livekit-server found (LIVEKIT_BIN, PATH, .cache/livekit); voice is off. Run `npm run voice:install` to enable it.');
    return null;
  }
  return spawnLiveKit(cfg, bin, dataDir, webhookUrl, log);
}
