import ipaddr from 'ipaddr.js';

/** EMBED_ALLOW_PRIVATE parsed: host names (any address they resolve to) and CIDRs / single addresses. */
export interface AllowList {
  hosts: Set<string>;
  nets: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export function parseAllowList(entries: string[]): AllowList {
  const list: AllowList = { hosts: new Set(), nets: [] };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (!entry) continue;
    if (entry.includes('/')) list.nets.push(ipaddr.parseCIDR(entry));
    else if (ipaddr.isValid(entry)) {
      const addr = ipaddr.process(entry);
      list.nets.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else list.hosts.add(entry);
  }
  return list;
}

/**
 * May the fetcher connect to `ip`? Only globally routable unicast addresses, unless the allow-list
 * names them. ipaddr.js classifies every special range (loopback, private, link-local incl.
 * 169.254.169.254, CGNAT 100.64/10, multicast, reserved, unspecified, broadcast, ULA fc00::/7,
 * fe80::/10, NAT64, 6to4, Teredo…); `process` unwraps IPv4-mapped IPv6 (::ffff:127.0.0.1) first, and
 * `parse` reads the decimal, octal and hex IPv4 forms (2130706433, 0177.0.0.1, 0x7f000001).
 */
export function isAddressAllowed(ip: string, allow?: AllowList): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return false;
  }
  if (allow?.nets.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits))) return true;
  return addr.range() === 'unicast';
}

/** Is `host` (a URL hostname) an IP literal? Literals never go through DNS, so they're checked up front. */
export function ipLiteral(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? bare : undefined;
}
