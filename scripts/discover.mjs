#!/usr/bin/env node
// `npm run discover`: lists the Retrocast servers on this network (mDNS browse of _retrocast._tcp).
// Also a module: discover() and resolveHost() are what the LAN test runs from the friend's side.
import { fileURLToPath } from 'node:url';
import makeMdns from 'multicast-dns';

const SERVICE = '_retrocast._tcp.local';

function txtObject(data) {
  const out = {};
  for (const buf of Array.isArray(data) ? data : [data]) {
    const s = Buffer.from(buf).toString('utf8');
    const eq = s.indexOf('=');
    if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

/** Browses `service` for `timeoutMs`; resolves to [{ instance, host, port, addresses, txt }]. */
export function discover({ timeoutMs = 3000, service = SERVICE } = {}) {
  const mdns = makeMdns();
  const found = new Map();
  const hosts = new Map();
  const entry = (name) =>
    found.get(name) ?? found.set(name, { instance: name.replace(`.${service}`, ''), host: '', port: 0, addresses: [], txt: {} }).get(name);
  mdns.on('response', (res) => {
    for (const r of [...res.answers, ...res.additionals]) {
      if (r.type === 'PTR' && r.name === service) entry(r.data);
      else if (r.type === 'SRV' && r.name.endsWith(service)) Object.assign(entry(r.name), { host: r.data.target, port: r.data.port });
      else if (r.type === 'TXT' && r.name.endsWith(service)) entry(r.name).txt = txtObject(r.data);
      else if (r.type === 'A' || r.type === 'AAAA') {
        const list = hosts.get(r.name) ?? [];
        if (!list.includes(r.data)) list.push(r.data);
        hosts.set(r.name, list);
      }
    }
  });
  const ask = () => mdns.query({ questions: [{ name: service, type: 'PTR' }] });
  ask();
  const again = setTimeout(ask, Math.min(1000, timeoutMs / 2));
  return new Promise((resolve) => {
    setTimeout(() => {
      clearTimeout(again);
      mdns.destroy();
      for (const s of found.values()) s.addresses = hosts.get(s.host) ?? [];
      resolve([...found.values()]);
    }, timeoutMs);
  });
}

/** Resolves `name` (e.g. retrocast.local) to its IPv4 addresses over mDNS; [] if nobody answers. */
export function resolveHost(name, { timeoutMs = 3000 } = {}) {
  const mdns = makeMdns();
  const addresses = new Set();
  return new Promise((resolve) => {
    const done = () => {
      clearInterval(retry);
      clearTimeout(timer);
      mdns.destroy();
      resolve([...addresses]);
    };
    mdns.on('response', (res) => {
      for (const r of [...res.answers, ...res.additionals])
        if (r.type === 'A' && r.name.toLowerCase() === name.toLowerCase()) addresses.add(r.data);
      if (addresses.size) done();
    });
    const ask = () => mdns.query({ questions: [{ name, type: 'A' }] });
    ask();
    const retry = setInterval(ask, 1000);
    const timer = setTimeout(done, timeoutMs);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 3);
  console.log(`Looking for Retrocast servers on this network (${seconds} s)…`);
  const servers = await discover({ timeoutMs: seconds * 1000 });
  if (servers.length === 0) {
    console.log('None found. Is the server running with MDNS on, on the same network (no guest Wi-Fi isolation, no VPN)?');
  }
  for (const s of servers) {
    const host = s.host.replace(/\.$/, '');
    console.log(`\n${s.instance}`);
    console.log(
      `  https://${host}:${s.port}   ${s.addresses.map((a) => `https://${a.includes(':') ? `[${a}]` : a}:${s.port}`).join('  ')}`,
    );
    if (s.txt.version) console.log(`  version ${s.txt.version}`);
    if (s.txt.ca_sha256) console.log(`  CA fingerprint (SHA-256) ${s.txt.ca_sha256.match(/../g).join(':')}`);
  }
}
