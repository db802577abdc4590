import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

export interface AccessClaims {
  sub: string;
  fam: string;
  /** Expiry, seconds since the epoch (always present: tokens without one are refused). */
  exp?: number;
}

export function signAccessToken(secret: Uint8Array, claims: AccessClaims, ttlS = ACCESS_TOKEN_TTL_S): Promise<string> {
  return new SignJWT({ fam: claims.fam })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlS)
    .sign(secret);
}

/**
 * Tokens already verified with a secret, until they expire. A client sends the same token with every
 * request for up to 15 minutes, and an HMAC check through WebCrypto (key import, a thread-pool job)
 * cost more CPU than the rest of a small request. A token's bytes decide its claims, so a hit is
 * as good as the check; only the expiry is looked at again. Revocation is not a property of the
 * token: the session guard checks it on every request.
 */
const verified = new WeakMap<Uint8Array, Map<string, AccessClaims>>();
const VERIFIED_MAX = 10_000;

/** Verified claims, or null for anything expired, tampered or malformed. */
export async function verifyAccessToken(secret: Uint8Array, token: string): Promise<AccessClaims | null> {
  let known = verified.get(secret);
  const hit = known?.get(token);
  if (hit) {
    if (hit.exp !== undefined && hit.exp * 1000 > Date.now()) return hit;
    known?.delete(token);
  }
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    if (typeof payload.sub !== 'string' || typeof payload.fam !== 'string') return null;
    const claims = { sub: payload.sub, fam: payload.fam, exp: payload.exp };
    if (!known) verified.set(secret, (known = new Map()));
    // Bounded: past the limit start over (expired entries go with it).
    if (known.size >= VERIFIED_MAX) known.clear();
    known.set(token, claims);
    return claims;
  } catch {
    return null;
  }
}

/** An opaque random token (refresh tokens, bot tokens). Only its hash is stored. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Bot tokens look like Discord's: base64(user id) . random. */
export function newBotToken(userId: string): string {
  return `${Buffer.from(userId).toString('base64url')}.${randomToken(30)}`;
}

/** Which token a bot session logged in with: a prefix of the stored hash, so a reset tells old sessions apart. */
export const botTokenTag = (tokenHash: string) => `bot:${tokenHash.slice(0, 16)}`;
