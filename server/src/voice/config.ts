import { networkInterfaces } from 'node:os';

/** Voice settings from the environment (README "Voice"). Read by config.ts into `config.voice`. */
export interface VoiceConfig {
  /** External LiveKit (ws:// or wss://); with key + secret it replaces the spawned child. */
  url?: string;
  apiKey?: string;
  apiSecret?: string;
  /** `auto`: spawn a found livekit-server; `off`: no voice. Test servers default to `off`. */
  mode: 'auto' | 'off';
  /** Explicit path to livekit-server; otherwise PATH, then `.cache/livekit`. */
  bin?: string;
  /** Address the spawned LiveKit listens on. */
  bind: string;
  /** IP LiveKit advertises in ICE candidates: clients must be able to reach it. */
  nodeIp: string;
  /** Signalling/API port (TCP); ICE/TCP fallback port; the single UDP port for media. */
  port: number;
  tcpPort: number;
  udpPort: number;
  /** URL clients use to reach LiveKit, when it differs from ws://<host they used>:<port>. */
  publicUrl?: string;
  /** Where LiveKit posts webhooks; default http://<loopback>:<PORT>/api/livekit/webhook. */
  webhookUrl?: string;
  /** LiveKit's embedded TURN (spawned LiveKit only): UDP port, TURN/TLS port (0 = off). */
  turn: { enabled: boolean; udpPort: number; tlsPort: number; domain: string; certFile?: string; keyFile?: string };
  /** How long a DM call rings the others (CALL_RING_TIMEOUT_MS). */
  ringTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

/** The first non-internal IPv4 address: what LAN clients can reach. Loopback when offline. */
export function lanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function loadVoiceConfig(env: Env, host: string): VoiceConfig {
  // Defaults follow PORT (8080 → 7880-7882, 8081 → 7883-7885, …) so two instances on one host coexist.
  const httpPort = Number(env.PORT);
  const offset = Number.isInteger(httpPort) && httpPort > 0 ? (((httpPort - 8080) % 1000) + 1000) % 1000 : 0;
  const base = port(env, 'LIVEKIT_PORT', 7880 + 3 * offset);
  // Servers built by tests must not grab the default ports; voice suites ask for LiveKit explicitly.
  const defaultMode = process.env.VITEST ? 'off' : 'auto';
  return {
    url: env.LIVEKIT_URL || undefined,
    apiKey: env.LIVEKIT_API_KEY || undefined,
    apiSecret: env.LIVEKIT_API_SECRET || undefined,
    mode: (env.LIVEKIT_MODE || defaultMode) === 'off' ? 'off' : 'auto',
    bin: env.LIVEKIT_BIN || undefined,
    bind: env.LIVEKIT_BIND || (host === '::' ? '0.0.0.0' : host),
    nodeIp: env.LIVEKIT_NODE_IP || lanAddress(),
    port: base,
    tcpPort: port(env, 'LIVEKIT_TCP_PORT', base + 1),
    udpPort: port(env, 'LIVEKIT_UDP_PORT', base + 2),
    publicUrl: env.LIVEKIT_PUBLIC_URL || undefined,
    webhookUrl: env.LIVEKIT_WEBHOOK_URL || undefined,
    // Off by default in tests (fixed ports); the LAN test asks for it. Cert files are set by lan/.
    turn: {
      enabled: (env.LIVEKIT_TURN || (process.env.VITEST ? 'off' : 'on')) !== 'off',
      udpPort: port(env, 'LIVEKIT_TURN_UDP_PORT', 3478),
      tlsPort: env.LIVEKIT_TURN_TLS_PORT === '0' ? 0 : port(env, 'LIVEKIT_TURN_TLS_PORT', 5349),
      domain: `${(env.MDNS_NAME || 'retrocast').toLowerCase().replace(/\.local\.?$/, '')}.local`,
    },
    ringTimeoutMs: Number(env.CALL_RING_TIMEOUT_MS) > 0 ? Number(env.CALL_RING_TIMEOUT_MS) : 30_000,
  };
}
