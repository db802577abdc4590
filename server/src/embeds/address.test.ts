import { describe, expect, it } from 'vitest';
import { isAddressAllowed, parseAllowList } from './address.js';
import { extractLinks } from './build.js';

// Addresses only: nothing here opens a connection.
describe('isAddressAllowed', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    '192.0.2.1',
    '198.18.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '[::1]',
    '2130706433',
    '0177.0.0.1',
    '0x7f000001',
    '127.1',
    '017700000001',
    'not an ip',
  ])('refuses %s', (ip) => {
    expect(isAddressAllowed(ip)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '172.32.0.1', '100.128.0.1'])('allows public %s', (ip) => {
    expect(isAddressAllowed(ip)).toBe(true);
  });

  it('EMBED_ALLOW_PRIVATE opens exactly the listed addresses and networks', () => {
    const allow = parseAllowList(['127.0.0.1', '10.1.0.0/16', 'nas.local', '[::1]']);
    expect(isAddressAllowed('127.0.0.1', allow)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', allow)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', allow)).toBe(false);
    expect(isAddressAllowed('10.1.200.3', allow)).toBe(true);
    expect(isAddressAllowed('10.2.0.1', allow)).toBe(false);
    expect(isAddressAllowed('::1', allow)).toBe(true);
    expect(isAddressAllowed('169.254.169.254', allow)).toBe(false);
    expect(allow.hosts.has('nas.local')).toBe(true);
    expect(isAddressAllowed('192.168.0.1', parseAllowList([]))).toBe(false);
  });
});

describe('extractLinks', () => {
  it('finds http(s) links, skips <suppressed> ones, trims punctuation, dedupes, caps at 5', () => {
    expect(extractLinks('see https://a.example/x, and <https://b.example/> or (http://c.example/p).')).toEqual(['https://a.example/x', 'http://c.example/p']);
    expect(extractLinks('ftp://x.example javascript:alert(1) https://a.example https://a.example')).toEqual(['https://a.example']);
    expect(extractLinks(Array.from({ length: 8 }, (_, i) => `https://e${i}.example`).join(' '))).toHaveLength(5);
  });
});
