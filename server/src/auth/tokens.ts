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

/** Verified claims, or null for anything expired, tampered or malformed. */
export async function verifyAccessToken(secret: Uint8Array, token: string): Promise<AccessClaims | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    if (typeof payload.sub !== 'string' || typeof payload.fam !== 'string') return null;
    return { sub: payload.sub, fam: payload.fam, exp: payload.exp };
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
