import { type CiaoService, getResponder, type Responder } from '@homebridge/ciao';
import type { FastifyBaseLogger } from 'fastify';
import makeMdns from 'multicast-dns';
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
 * Bonjour for Retrocast (@homebridge/ciao, RFC 6762/6763): `_retrocast._tcp` with a TXT record on
 * `<name>.local`, whose A/AAAA records ciao answers, and `_https._tcp` pointing there. Only the interfaces
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

  /**
   * Advertises both services as `<host>.local`. When ciao's probing finds the name taken it picks
   * `name-(k)`, which is no valid host label: once that round is announced, withdraw it and
   * advertise `name-2` (then `name-3`…; our own count, as ciao may skip numbers).
   */
  let number = 1;
  const advertise = async (host: string): Promise<void> => {
    // Not ` (2)`: ciao gives that name to the round it renamed, and would see ours as a conflict.
    const suffix = number > 1 ? ` (${host})` : '';
    const restrictedAddresses = opts.host === '0.0.0.0' || opts.host === '::' ? ifaces : [opts.host];
    const disabledIpv6 = opts.host === '0.0.0.0';
    const make = (type: string, txt: Record<string, string>) =>
      responder.createService({
        name: `${opts.instanceName}${suffix}`,
        type,
        port: opts.httpsPort,
        hostname: host,
        txt,
        restrictedAddresses,
        disabledIpv6,
      });
    // One ciao service per host name: ciao treats a second one on the same name as a conflict.
    services = [make('retrocast', opts.txt)];
    let renamed = false;
    for (const s of services) s.on('hostname-change', () => (renamed = true));
    await Promise.all(services.map((s) => s.advertise()));
    if (!renamed || stopped) return;
    number++;
    label = `${opts.name}-${number}`;
    opts.log.warn({ name: `${label}.local` }, `mdns: ${opts.name}.local is taken on this network; answering as ${label}.local`);
    const old = services;
    await Promise.all(old.map((s) => s.end().catch(() => {})));
    await Promise.all(old.map((s) => s.destroy().catch(() => {})));
    opts.onRename?.(`${label}.local`);
    await advertise(label);
    const https = startHttpsRecords(opts, () => label, `${opts.instanceName}${number > 1 ? ` (${label})` : ''}`);
  };

  await advertise(label);
  const https = startHttpsRecords(opts, () => label, `${opts.instanceName}${number > 1 ? ` (${label})` : ''}`);
  opts.log.info({ name: `${label}.local`, interfaces: ifaces }, `mdns: advertising ${label}.local and _retrocast._tcp`);
  return {
    hostname: () => `${label}.local`,
    stop: async () => {
      stopped = true;
      https.stop();
      await Promise.all(services.map((s) => s.end().catch(() => {})));
      await responder.shutdown();
    },
  };
}

/**
 * `_https._tcp` for browsers and tools that look for web servers: PTR, SRV (to our current .local
 * name, whose A records ciao answers) and TXT, answered with multicast-dns, and withdrawn with a
 * TTL-0 goodbye on stop.
 */
function startHttpsRecords(opts: MdnsOptions, host: () => string, instance: string): { stop(): void } {
  const type = '_https._tcp.local';
  const fqdn = `${instance}.${type}`; // the instance name has no dots (hostname's first label)
  // A specific IPv4 HOST: only its interface (as ciao does with restrictedAddresses).
  const specific = opts.host !== '0.0.0.0' && opts.host !== '::' && !opts.host.includes(':');
  const mdns = makeMdns({ reuseAddr: true, ...(specific ? { interface: opts.host } : {}) });
  const records = (ttl: number) => [
    { name: type, type: 'PTR' as const, ttl, data: fqdn },
    { name: fqdn, type: 'SRV' as const, ttl: ttl && 120, data: { target: `${host()}.local`, port: opts.httpsPort } },
    { name: fqdn, type: 'TXT' as const, ttl, data: ['path=/'] },
  ];
  mdns.on('query', (q) => {
    const asked = q.questions.some((x) => x.name === type || x.name === fqdn);
    if (asked) mdns.respond({ answers: records(4500) });
  });
  mdns.on('error', (err) => opts.log.debug({ err }, 'mdns: _https._tcp responder error'));
  mdns.respond({ answers: records(4500) });
  return {
    stop: () => {
      mdns.respond({ answers: records(0) }, () => mdns.destroy());
    },
  };
}
