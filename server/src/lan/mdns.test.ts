import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startMdns } from './mdns.js';

// Multicast never leaves this machine in tests: these only check that nothing is started at all.
// Real advertising and goodbye packets are shown in lan.slow.test.ts, inside network namespaces.
describe('mDNS advertising', () => {
  const base = { name: 'retrocast', httpsPort: 8443, txt: {}, instanceName: 'Retrocast test', log: pino({ level: 'silent' }) };

  it('advertises nothing when the server listens on loopback only', async () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) expect(await startMdns({ ...base, host })).toBeNull();
  });

  it('advertises nothing on an address this machine does not have', async () => {
    expect(await startMdns({ ...base, host: '203.0.113.7' })).toBeNull();
  });
});
