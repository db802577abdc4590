import { hostname, networkInterfaces } from 'node:os';

/** One address of this machine that friends on the network may reach us at. */
export interface LanAddress {
  iface: string;
  address: string;
  family: 'IPv4' | 'IPv6';
}

const wildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '';
export const isLoopback = (a: string) => a === '::1' || a.startsWith('127.') || a === '::ffff:127.0.0.1' || a === 'localhost';

/**
 * Non-loopback addresses the server answers on: every interface's when HOST is a wildcard, only
 * HOST itself otherwise. IPv6 link-local addresses are left out: they need a zone and cannot be
 * in a certificate.
 */
export function lanAddresses(host: string): LanAddress[] {
  const out: LanAddress[] = [];
  for (const [iface, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal || (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80'))) continue;
      if (!wildcard(host) && a.address !== host) continue;
      if (host === '0.0.0.0' && a.family !== 'IPv4') continue;
      out.push({ iface, address: a.address, family: a.family });
    }
  }
  return out;
}

/** `<hostname>.local` as Bonjour names this machine (first label, lower case), or null. */
export function machineLocalName(): string | null {
  const label = hostname().split('.')[0].toLowerCase();
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label) ? `${label}.local` : null;
}

/** host:port for a URL (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}${port === 443 ? '' : `:${port}`}`;
}
