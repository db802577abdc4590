// LAN test helper, run in the friend's namespace: waits up to N ms for mDNS goodbye packets
// (records with TTL 0) for _retrocast._tcp and retrocast.local, and prints what it saw.
import makeMdns from 'multicast-dns';

const ms = Number(process.argv[2] ?? 20000);
const mdns = makeMdns();
const gone = new Set();
mdns.on('response', (res) => {
  for (const r of [...res.answers, ...res.additionals]) {
    if (r.ttl === 0 && (r.name === '_retrocast._tcp.local' || r.name === 'retrocast.local')) gone.add(`${r.type} ${r.name}`);
  }
  if (gone.has('PTR _retrocast._tcp.local') && gone.has('A retrocast.local')) finish();
});
mdns.on('ready', () => console.log(JSON.stringify({ step: 'listening' })));
const timer = setTimeout(finish, ms);
function finish() {
  clearTimeout(timer);
  console.log(JSON.stringify({ step: 'goodbye', records: [...gone].sort() }));
  mdns.destroy();
}
