import { createHash } from 'node:crypto';
import type { AppContext } from '../context.js';

/** How long an address stays "known" for an account after a successful login from it. */
const KNOWN_MS = 30 * 24 * 3600 * 1000;

const knownKey = (username: string, ip: string) =>
  `login-known:${createHash('sha256').update(`${username}\n${ip}`).digest('hex').slice(0, 32)}`;

/**
 * Login attempts are limited per address (the route's own bucket) and per username, but the
 * per-username limit only counts addresses the account has never logged in from: a stranger
 * guessing can exhaust it, yet the real user, on an address they used before, still gets in.
 */
export async function loginLimitKeys(ctx: AppContext, rawUsername: unknown, ip: string): Promise<string[]> {
  if (typeof rawUsername !== 'string') return [];
  const username = rawUsername.trim().toLowerCase();
  if ((await ctx.rateLimits.peek(knownKey(username, ip))) > 0) return [];
  return [`user:${username}`];
}

/** After a successful login: this address is one the account uses. */
export async function noteLoginAddress(ctx: AppContext, username: string, ip: string): Promise<void> {
  await ctx.rateLimits.hit(knownKey(username.toLowerCase(), ip), KNOWN_MS);
}
