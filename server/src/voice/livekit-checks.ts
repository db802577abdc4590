import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { VoiceConfig } from './config.js';

/** Checks run before and after spawning LiveKit, each ending in one clear log line when it fails. */

const canListenTcp = (host: string, port: number) =>
  new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const s = createServer();
    s.once('error', (err) => resolve(err));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(null)));
  });

const canBindUdp = (host: string, port: number) =>
  new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', (err) => {
      s.close();
      resolve(err);
    });
    s.bind({ port, address: host, exclusive: true }, () => s.close(() => resolve(null)));
  });

/**
 * Before spawning: are LiveKit's ports free? Another LiveKit (or a second Retrocast) on the same
 * host holds them; then the child would die with "address already in use" after we had said it
 * runs. Returns one line naming the port and the setting to change, or null.
 */
export async function findPortClash(cfg: VoiceConfig): Promise<string | null> {
  const host = cfg.bind;
  const checks: Array<[string, number, 'tcp' | 'udp']> = [
    ['LIVEKIT_PORT', cfg.port, 'tcp'],
    ['LIVEKIT_TCP_PORT', cfg.tcpPort, 'tcp'],
    ['LIVEKIT_UDP_PORT', cfg.udpPort, 'udp'],
  ];
  for (const [name, port, proto] of checks) {
    if (!port) continue;
    const err = proto === 'tcp' ? await canListenTcp(host, port) : await canBindUdp(host, port);
    if (err?.code === 'EADDRINUSE')
      return `voice: port ${port}/${proto} (${name}) on ${host} is already in use (another LiveKit or Retrocast?); set ${name} or stop that process; voice is off`;
  }
  return null;
}

/**
 * After it answers HTTP: is it ours? Any LiveKit answers 200 on its port; only ours accepts our
 * API key for an authenticated RoomService call.
 */
export async function isOurLiveKit(serviceUrl: string, apiKey: string, apiSecret: string): Promise<boolean> {
  try {
    const { RoomServiceClient } = await import('livekit-server-sdk');
    await new RoomServiceClient(serviceUrl, apiKey, apiSecret).listRooms();
    return true;
  } catch {
    return false;
  }
}

/** True when the machine has no network interface but loopback (voice then only works on this machine). */
export function loopbackOnly(interfaces = networkInterfaces()): boolean {
  return !Object.values(interfaces).some((list) => (list ?? []).some((a) => !a.internal));
}

const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';
const isWildcard = (ip: string) => ip === '0.0.0.0' || ip === '::';

/**
 * LiveKit's `rtc` lines that place its media (UDP) where LIVEKIT_BIND says: by default LiveKit binds
 * its UDP port on every non-loopback address and never on loopback, so a bind to one address is
 * expressed as an IP filter, and loopback (a loopback bind, or a machine that has nothing else)
 * needs loopback candidates switched on — without them clients fail with "publisher not ready".
 */
export function mediaBindYaml(cfg: VoiceConfig, onlyLoopback: boolean): string[] {
  const lines: string[] = [];
  if (!isWildcard(cfg.bind)) lines.push('  ips:', '    includes:', `      - ${cfg.bind}/${cfg.bind.includes(':') ? 128 : 32}`);
  if (isLoopback(cfg.bind) || onlyLoopback || isLoopback(cfg.nodeIp)) lines.push('  enable_loopback_candidate: true');
  return lines;
}
