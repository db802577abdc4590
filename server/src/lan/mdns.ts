import { type CiaoService, getResponder, type Responder } from '@homebridge/ciao';
import type { FastifyBaseLogger } from 'fastify';
import { isLoopback, lanAddresses } from './addresses.js';

export interface MdnsOptions {
  /** HOST the server listens on: a wildcard advertises on every interface, an address only there. */
  host: string;
  /** Host label: `retrocast` → retrocast.local. */
  name: string;
  httpsPort: number;
  /** TXT: version, HTTPS port, CA fingerprint, server name. */
  txt: Record<string, string>;
  instanceName: string;
  log: FastifyBaseLogger;
  /** Called with `retrocast-2.local` when another machine already answers for our name. */
  onRename?: (dnsName: string) => void;
}

export interface MdnsAdvertiser {
  /** The .local name we answer for now. */
  hostname(): string;
  /** Withdraws every record (goodbye packets) and closes the sockets. */
  stop(): Promise<void>;
}

/**
 * Bonjour for Retrocast (@homebridge/ciao, RFC 6762/6763): `_retrocast._tcp` with a TXT record and
 * `_https._tcp`, both on `<name>.local`, whose A/AAAA records ciao answers. Only the interfaces
 * the server listens on: with HOST on loopback nothing is advertised anywhere. A name taken by
 * another machine becomes `<name>-2.local` (ciao's own `-(2)` is not a valid host label).
 */
export async function startMdns(opts: MdnsOptions): Promise<MdnsAdvertiser | null> {
  if (isLoopback(opts.host)) {
    opts.log.info('mdns: HOST is loopback; not advertising on the network');
    return null;
  }
  const addresses = lanAddresses(opts.host);
  if (addresses.length === 0) {
    opts.log.info('mdns: no network interface to advertise on');
    return null;
  }
  const ifaces = [...new Set(addresses.map((a) => a.iface))];
  const responder: Responder = getResponder({ interface: ifaces, advertiseIpv6: opts.host !== '0.0.0.0' });
  let label = opts.name;
  let services: CiaoService[] = [];
  let stopped = false;

  const advertise = async (host: string, n: number) => {
    const suffix = n > 1 ? ` (${n})` : '';
    const restrictedAddresses = opts.host === '0.0.0.0' || opts.host === '::' ? ifaces : [opts.host];
    const disabledIpv6 = opts.host === '0.0.0.0';
    const retro = responder.createService({
      name: `${opts.instanceName}${suffix}`,
      type: 'retrocast',
      port: opts.httpsPort,
      hostname: host,
      txt: opts.txt,
      restrictedAddresses,
      disabledIpv6,
    });
    const https = responder.createService({
      name: `${opts.instanceName}${suffix}`,
      type: 'https',
      port: opts.httpsPort,
      hostname: host,
      txt: { path: '/' },
      restrictedAddresses,
      disabledIpv6,
    });
    services = [retro, https];
    retro.on('hostname-change', (renamed: string) => void rename(renamed));
    await Promise.all(services.map((s) => s.advertise()));
  };

  /** ciao probed a conflict and picked `name-(2)`: re-advertise as `name-2`. */
  const rename = async (renamed: string) => {
    const m = renamed.match(/-\((\d+)\)$/);
    if (!m || stopped) return;
    const n = Number(m[1]);
    label = `${opts.name}-${n}`;
    opts.log.warn({ name: `${label}.local` }, `mdns: ${opts.name}.local is taken on this network; answering as ${label}.local`);
    const old = services;
    services = [];
    await Promise.all(old.map((s) => s.destroy()));
    opts.onRename?.(`${label}.local`);
    await advertise(label, n);
  };

  await advertise(label, 1);
  opts.log.info({ name: `${label}.local`, interfaces: ifaces }, `mdns: advertising ${label}.local and _retrocast._tcp`);
  return {
    hostname: () => `${label}.local`,
    stop: async () => {
      stopped = true;
      await Promise.all(services.map((s) => s.end().catch(() => {})));
      await responder.shutdown();
    },
  };
}
