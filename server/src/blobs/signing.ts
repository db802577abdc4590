import { createHmac, timingSafeEqual } from 'node:crypto';

/** Discord-style signed URL parameters: `ex` expiry and `is` issue time (hex Unix seconds), `hm` HMAC-SHA256 (hex). */
export interface SignedParams {
  ex: string;
  is: string;
  hm: string;
}

function mac(key: Uint8Array, path: string, is: string, ex: string): string {
  return createHmac('sha256', key).update(`${path}\n${is}\n${ex}`).digest('hex');
}

/** Signs a path (plus anything that must not change, folded into it by the caller) for `ttlSec` seconds. */
export function signPath(key: Uint8Array, path: string, ttlSec: number, now = Date.now()): SignedParams {
  const issued = Math.floor(now / 1000);
  const is = issued.toString(16);
  const ex = (issued + ttlSec).toString(16);
  return { ex, is, hm: mac(key, path, is, ex) };
}

/** True when `hm` matches and `ex` is in the future. Constant-time comparison. */
export function verifyPath(key: Uint8Array, path: string, q: Partial<Record<keyof SignedParams, unknown>>, now = Date.now()): boolean {
  const { ex, is, hm } = q;
  if (typeof ex !== 'string' || typeof is !== 'string' || typeof hm !== 'string') return false;
  if (!/^[0-9a-f]{1,12}$/.test(ex) || !/^[0-9a-f]{1,12}$/.test(is) || !/^[0-9a-f]{64}$/.test(hm)) return false;
  if (Number.parseInt(ex, 16) * 1000 < now) return false;
  const want = Buffer.from(mac(key, path, is, ex), 'hex');
  return timingSafeEqual(want, Buffer.from(hm, 'hex'));
}

export function toQuery(p: SignedParams): string {
  return `ex=${p.ex}&is=${p.is}&hm=${p.hm}`;
}

/** The key for URL signatures, derived from the server secret (instances sharing JWT_SECRET verify each other's URLs). */
export function deriveUrlKey(secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update('retrocast file urls').digest();
}
