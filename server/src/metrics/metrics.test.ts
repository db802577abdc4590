import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectUser, createGuildWith } from '../test/gateway.js';
import { api, backend, registerUser, startServer, type TestServer } from '../test/helper.js';
import { allowed } from './plugin.js';

const scrape = async (server: TestServer, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
};

describe('GET /metrics (METRICS=on)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { METRICS: 'on' } });
  });
  afterAll(() => server?.close());

  it('serves Prometheus text with HTTP latency per route, gateway, voice, bus, pool and process metrics', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const { general } = await createGuildWith(server, alice, [bob]);
    const gw = await connectUser(server, bob);
    try {
      const sent = await api(server, 'POST', `/channels/${general.id}/messages`, { token: alice.token, body: { content: 'counted' } });
      expect(sent.status).toBe(200);
      await gw.dispatch('MESSAGE_CREATE', (d) => d.content === 'counted');
      const m = await scrape(server);
      expect(m.status).toBe(200);
      expect(m.type).toContain('text/plain');
      expect(m.text).toMatch(
        /retrocast_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/api\/v10\/channels\/:channelId\/messages",status="200"\} \d+/,
      );
      expect(m.text).not.toContain(`route="/api/v10/channels/${general.id}`);
      expect(value(m.text, 'retrocast_gateway_sessions{state="connected"}')).toBe(1);
      // READY, GUILD_CREATE, MESSAGE_CREATE at least.
      expect(value(m.text, 'retrocast_gateway_dispatches_total')).toBeGreaterThanOrEqual(3);
      expect(value(m.text, 'retrocast_voice_participants')).toBe(0);
      expect(m.text).toContain('retrocast_bus_lag_seconds');
      expect(value(m.text, 'retrocast_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
      expect(m.text).toContain('retrocast_nodejs_eventloop_lag_seconds');
      if (backend === 'postgres') expect(value(m.text, 'retrocast_db_pool_connections{state="total"}')).toBeGreaterThan(0);
    } finally {
      gw.close();
    }
  });

  it('only loopback callers get it without a token (X-Forwarded-For does not count)', () => {
    const req = (remoteAddress: string, headers: Record<string, string> = {}) =>
      ({ socket: { remoteAddress }, headers }) as unknown as FastifyRequest;
    expect(allowed(req('127.0.0.1'), undefined)).toBe(true);
    expect(allowed(req('::1'), undefined)).toBe(true);
    expect(allowed(req('192.168.1.20', { 'x-forwarded-for': '127.0.0.1' }), undefined)).toBe(false);
  });
});

describe('GET /metrics with METRICS_TOKEN, and off by default', { timeout: 120_000 }, () => {
  it('needs the bearer token when one is set', async () => {
    const server = await startServer({ env: { METRICS: 'on', METRICS_TOKEN: 'scrape-me-please' } });
    try {
      expect((await scrape(server)).status).toBe(403);
      expect((await scrape(server, { authorization: 'Bearer wrong' })).status).toBe(403);
      expect((await scrape(server, { authorization: 'Bearer scrape-me-please' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('is not served unless METRICS=on', async () => {
    const server = await startServer();
    try {
      // The path falls through to the web client (or 404 without one): no metric is exposed.
      expect((await scrape(server)).text).not.toContain('retrocast_');
    } finally {
      await server.close();
    }
  });
});
