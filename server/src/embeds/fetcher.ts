import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { Agent, Response } from 'undici';
import { type AllowList, ipLiteral, isAddressAllowed } from './address.js';

let undici: Promise<typeof import('undici')> | undefined;
/** undici, loaded at the first outbound request (a link preview, a push), not at start (bench/README.md, issue 16). */
export const loadUndici = () => (undici ??= import('undici'));

export const USER_AGENT = 'Mozilla/5.0 (compatible; RetrocastBot/1.0; link previews for a self-hosted chat server)';

export class BlockedError extends Error {}

export interface SafeFetcher {
  /** GET `url`, following at most 5 redirects, each target checked again. Throws BlockedError for refused addresses. */
  get(url: string, accept: string, signal?: AbortSignal): Promise<{ res: Response; url: URL }>;
  close(): Promise<void>;
}

/**
 * An undici Agent that connects only to checked addresses: host names go through our own `lookup`,
 * which drops every address the allow-check refuses (no second resolution to race). Shared with
 * Web Push (notifications/), whose endpoints are URLs clients chose.
 */
export async function createSafeAgent(allow: AllowList, timeoutMs = 5000): Promise<Agent> {
  const { Agent } = await loadUndici();
  const lookup = (hostname: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addrs: LookupAddress[]) => {
      if (err) return cb(err);
      const open = allow.hosts.has(hostname.toLowerCase());
      const ok = addrs.filter((a) => open || isAddressAllowed(a.address, allow));
      if (!ok.length) return cb(new BlockedError(`${hostname} resolves only to refused addresses`));
      if (options.all) cb(null, ok);
      else cb(null, ok[0].address, ok[0].family);
    });
  };
  return new Agent({ connect: { lookup: lookup as never, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
}

/**
 * Outbound HTTP for link previews that cannot be pointed at this server's network (SSRF): every
 * host name is resolved by our own `lookup`, which drops every address the allow-check refuses, so
 * the socket connects only to an address that was checked (no second resolution to race).
 * IP literals skip DNS and are checked before the request. Only http(s); bounded time.
 */
export function createSafeFetcher(allow: AllowList, timeoutMs = 5000, maxRedirects = 5): SafeFetcher {
  let agent: Promise<Agent> | undefined;
  const agentOf = () => (agent ??= createSafeAgent(allow, timeoutMs));

  const checkTarget = (u: URL) => {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new BlockedError(`scheme ${u.protocol}`);
    if (u.username || u.password) throw new BlockedError('credentials in URL');
    const literal = ipLiteral(u.hostname);
    if (literal && !isAddressAllowed(literal, allow)) throw new BlockedError(`address ${literal}`);
  };

  return {
    async get(raw, accept, signal) {
      let url = new URL(raw);
      const [{ fetch }, dispatcher] = await Promise.all([loadUndici(), agentOf()]);
      const timeout = AbortSignal.timeout(timeoutMs);
      const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
      for (let hop = 0; ; hop++) {
        checkTarget(url);
        const res = await fetch(url, {
          dispatcher,
          redirect: 'manual',
          signal: both,
          headers: { 'user-agent': USER_AGENT, accept },
        });
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          await res.body?.cancel().catch(() => {});
          if (hop >= maxRedirects) throw new BlockedError('too many redirects');
          url = new URL(location, url);
          continue;
        }
        return { res, url };
      }
    },
    close: async () => (await agent)?.close(),
  };
}

/** The body up to `max` bytes (the rest is not read); `strict` refuses bodies that are longer. */
export async function readCapped(res: Response, max: number, strict = false): Promise<Buffer | undefined> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    const buf = Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > max) {
      await res.body.cancel().catch(() => {});
      if (strict) return undefined;
      chunks.push(buf.subarray(0, buf.length - (total - max)));
      break;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
