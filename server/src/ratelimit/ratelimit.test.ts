import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, api, registerUser, startServer, uniqueName } from '../test/helper.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
});
afterAll(() => server?.close());

describe('rate limits', () => {
  it('limits login attempts per username with Discord headers and a 429 body', async () => {
    const target = uniqueName('victim');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await api(server, 'POST', '/auth/login', { body: { username: target, password: `guess-${i}-xx` } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(last!.body).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(last!.body.retry_after).toBeGreaterThan(0);
    expect(last!.headers.get('x-ratelimit-limit')).toBe('3');
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last!.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{16}$/);
    expect(last!.headers.get('retry-after')).toBeTruthy();
  });

  it('sends rate limit headers on ordinary authenticated routes', async () => {
    const other = await startServer();
    try {
      const u = await registerUser(other);
      const res = await api(other, 'GET', '/users/@me', { token: u.token });
      expect(res.headers.get('x-ratelimit-limit')).toBe('50');
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBe(49);
      // 200 requests at once against a 50/s bucket: some are refused, none fail otherwise (200, not
      // 60, so a loaded machine that answers slowly still outruns the refill).
      const results = await Promise.all(Array.from({ length: 200 }, () => api(other, 'GET', '/users/@me', { token: u.token })));
      const codes = new Set(results.map((r) => r.status));
      expect([...codes].every((c) => c === 200 || c === 429)).toBe(true);
      expect(results.some((r) => r.status === 429)).toBe(true);
    } finally {
      await other.close();
    }
  });
});
