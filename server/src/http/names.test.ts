import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type TestServer } from '../test/helper.js';
import { createGuild, type TestGuild } from '../test/messages-fixtures.js';
import { hasVisibleText, normalizeName } from './names.js';

describe('normalizeName', () => {
  it('drops bidi overrides, isolates, marks, zero-width spaces and controls', () => {
    expect(normalizeName('\u202Eevil\u202C')).toBe('evil');
    expect(normalizeName('\u2066a\u2069\u200Eb\u200Fc\u200Bd\u0007e\uFEFF')).toBe('abcde');
    expect(normalizeName('  spaced  ')).toBe('spaced');
  });

  it('keeps emoji sequences (joiner, variation selector) and composes accents (NFC)', () => {
    expect(normalizeName('👨‍👩‍👧 family ❤️')).toBe('👨‍👩‍👧 family ❤️');
    expect(normalizeName('cafe\u0301')).toBe('café');
  });

  it('sees no visible text in fillers, joiners or spaces', () => {
    for (const s of ['\u3164', '\uFFA0\u200D', '\u200D\u200D', ' \u2800 '.replace('\u2800', '\u3164'), '\u0301'])
      expect(hasVisibleText(normalizeName(s)), JSON.stringify(s)).toBe(false);
    expect(hasVisibleText('x')).toBe(true);
    expect(hasVisibleText('😀')).toBe(true);
  });
});

describe('every user-visible name gets the same normalisation', () => {
  let server: TestServer;
  let g: TestGuild;
  beforeAll(async () => {
    server = await startServer({ env: { RATE_LIMIT_DISABLED: '1' } });
    g = await createGuild(server);
  });
  afterAll(() => server?.close());
  const as = (body: unknown) => ({ token: g.owner.token, body });

  type Case = [string, string, () => string, string, (body: any) => string | null];
  const cases: Case[] = [
    ['guild name (create)', 'POST', () => '/guilds', 'name', (b) => b.name],
    ['guild name (edit)', 'PATCH', () => `/guilds/${g.guildId}`, 'name', (b) => b.name],
    ['channel name', 'POST', () => `/guilds/${g.guildId}/channels`, 'name', (b) => b.name],
    ['role name', 'POST', () => `/guilds/${g.guildId}/roles`, 'name', (b) => b.name],
    ['nickname', 'PATCH', () => `/guilds/${g.guildId}/members/@me`, 'nick', (b) => b.nick],
    ['display name', 'PATCH', () => '/users/@me', 'display_name', (b) => b.global_name],
  ];

  it.each(cases)('%s: a right-to-left override is stripped', async (_label, method, path, field, read) => {
    const res = await api(
      server,
      method,
      path(),
      as({ [field]: 'abc\u202Etxt.exe', ...(field === 'name' && path().endsWith('channels') ? { type: 2 } : {}) }),
    );
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    expect(read(res.body)).toBe('abctxt.exe');
  });

  it.each(cases)('%s: only zero-width or filler characters is a 400', async (_label, method, path, field) => {
    for (const invisible of ['\u200B\u200B', '\u3164', '\u200D\u2066\u2069']) {
      const res = await api(server, method, path(), as({ [field]: invisible }));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      // "Must contain visible characters." (or the schema's minimum length, for one-character input)
      expect(res.body.errors[field]._errors[0].message).toMatch(/visible|fewer than/);
    }
  });

  it('an empty nickname still resets it', async () => {
    await api(server, 'PATCH', `/guilds/${g.guildId}/members/@me`, as({ nick: 'temporary' }));
    const res = await api(server, 'PATCH', `/guilds/${g.guildId}/members/@me`, as({ nick: '' }));
    expect(res.status).toBe(200);
    expect(res.body.nick ?? null).toBeNull();
  });
});
