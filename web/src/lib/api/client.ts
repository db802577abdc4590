import type { AuthResponse } from '@retrocast/protocol';
import type { ApiErrorBody } from './types';

const BASE = '/api/v10';
const STORE_KEY = 'retrocast.auth';

/**
 * What this page keeps: the short-lived access token. On its own origin the server puts the refresh
 * token in an HttpOnly cookie for /auth/refresh only, out of reach of script, and leaves it out of
 * the JSON. `refresh_token` is kept only when the server did send one (a client served from another
 * origin, or a login stored before the cookie, which the next refresh moves into the cookie).
 */
export interface Tokens {
  access_token: string;
  refresh_token?: string;
}

/** A non-2xx answer, carrying Discord's error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message || `HTTP ${status}`);
  }
  /** First field-level message from `errors`, else the top message. */
  get detail(): string {
    const walk = (o: unknown): string | undefined => {
      if (!o || typeof o !== 'object') return undefined;
      const errs = (o as { _errors?: { message: string }[] })._errors;
      if (errs?.length) return errs[0].message;
      for (const v of Object.values(o)) {
        const m = walk(v);
        if (m) return m;
      }
      return undefined;
    };
    return walk(this.body.errors) ?? this.message;
  }
}

export function loadTokens(): Tokens | null {
  try {
    const raw = localStorage.getItem(STORE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

export function saveTokens(t: Tokens | null) {
  if (t) localStorage.setItem(STORE_KEY, JSON.stringify({ access_token: t.access_token, refresh_token: t.refresh_token }));
  else localStorage.removeItem(STORE_KEY);
}

let refreshing: Promise<Tokens | null> | null = null;

/** One refresh at a time across this origin's tabs: they share the cookie, and a rotated one is good once. */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request('retrocast.refresh', fn) as Promise<T>) : fn();
}

/**
 * Rotates the refresh cookie once, even when several requests hit 401 together: they all await
 * the same promise. A failed refresh clears the stored login.
 */
export function refreshTokens(): Promise<Tokens | null> {
  const stale = loadTokens()?.access_token;
  refreshing ??= exclusive(async () => {
    const t = loadTokens();
    if (!t) return null;
    // Another tab refreshed while this one waited for the lock: use its token.
    if (t.access_token !== stale) return t;
    const res = await fetch(`${BASE}/auth/refresh`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(t.refresh_token ? { refresh_token: t.refresh_token } : {}),
    }).catch(() => null);
    if (!res) return t; // offline: keep the login, try again later
    if (!res.ok) {
      saveTokens(null);
      onLoggedOut?.();
      return null;
    }
    const body = (await res.json()) as AuthResponse;
    saveTokens(body);
    return body;
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

let onLoggedOut: (() => void) | undefined;
/** Called when the server rejects our refresh token (the session ended elsewhere). */
export function setLoggedOutHandler(fn: () => void) {
  onLoggedOut = fn;
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** One REST call with the stored bearer token; retries once after refreshing on 401. */
export async function request<T>(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Query; auth?: boolean; reason?: string } = {},
): Promise<T> {
  const qs = opts.query
    ? `?${new URLSearchParams(
        Object.entries(opts.query)
          .filter(([, v]) => v !== undefined && v !== null)
          .map(([k, v]) => [k, String(v)]),
      )}`
    : '';
  const send = (token?: string) => {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.reason) headers['x-audit-log-reason'] = encodeURIComponent(opts.reason);
    return fetch(`${BASE}${path}${qs}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  };
  const useAuth = opts.auth !== false;
  let res = await send(useAuth ? loadTokens()?.access_token : undefined);
  if (res.status === 401 && useAuth && loadTokens()) {
    const t = await refreshTokens();
    if (t) res = await send(t.access_token);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new HttpError(res.status, data ?? { code: 0, message: res.statusText });
  return data as T;
}
