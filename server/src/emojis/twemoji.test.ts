import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../test/helper.js';

describe('GET /twemoji/:file', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  it('serves a Twemoji SVG from our origin, immutable, without auth', async () => {
    const res = await fetch(`${server.url}/twemoji/1f44d.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toMatch(/^<svg[\s>]/);
  });

  it('serves ZWJ sequences, skin tones and keycaps; finds the few stored without U+FE0F', async () => {
    for (const f of ['1f469-200d-1f4bb.svg', '1f44d-1f3fd.svg', '23-20e3.svg', '1f441-fe0f-200d-1f5e8-fe0f.svg'])
      expect((await fetch(`${server.url}/twemoji/${f}`)).status, f).toBe(200);
  });

  it('404s unknown emoji and anything that is not a code point file name', async () => {
    for (const f of ['fffff.svg', '..%2Fpackage.json', '1f44d.png', '1F44D.svg', '%2e%2e%2f%2e%2e%2fLICENSE'])
      expect((await fetch(`${server.url}/twemoji/${f}`)).status, f).toBe(404);
  });
});
