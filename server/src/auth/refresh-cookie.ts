import type { AuthResponse } from '@retrocast/protocol';
import { parse, serialize } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_TOKEN_TTL_MS } from './tokens.js';

/**
 * The web client's refresh token lives in an HttpOnly cookie that the browser sends to POST
 * /auth/refresh only, so script on the page (an XSS) can never read it and take the account over
 * for good. Bots (`Bot` tokens) and native clients (no Origin header) keep the JSON body tokens.
 */
export const REFRESH_COOKIE = 'retrocast_refresh';
export const REFRESH_COOKIE_PATH = '/api/v10/auth/refresh';

/** A browser request from our own web client: its Origin names this very host. */
export function isSameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.host;
  } catch {
    return false;
  }
}

/** The cookie's token, accepted only with our own Origin (CSRF: SameSite=Strict plus this check). */
export function refreshCookieOf(req: FastifyRequest): string | undefined {
  if (!isSameOrigin(req) || !req.headers.cookie) return undefined;
  return parse(req.headers.cookie)[REFRESH_COOKIE] || undefined;
}

/** Sets (or, with null, clears) the cookie; Secure whenever the request came over HTTPS. */
export function setRefreshCookie(req: FastifyRequest, reply: FastifyReply, token: string | null) {
  const cookie = serialize(REFRESH_COOKIE, token ?? '', {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.protocol === 'https',
    path: REFRESH_COOKIE_PATH,
    maxAge: token ? Math.floor(REFRESH_TOKEN_TTL_MS / 1000) : 0,
  });
  reply.header('set-cookie', cookie);
}

/** Login, register, refresh answer: for our own web client the refresh token goes to the cookie only. */
export function deliverTokens(req: FastifyRequest, reply: FastifyReply, res: AuthResponse): AuthResponse {
  if (!isSameOrigin(req) || !res.refresh_token) return res;
  setRefreshCookie(req, reply, res.refresh_token);
  const { refresh_token: _, ...rest } = res;
  return rest;
}
