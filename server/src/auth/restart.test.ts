import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, registerUser, startServer } from '../test/helper.js';

describe('restart', () => {
  it('keeps accounts and access tokens across a stop and start on the same data', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-restart-'));
    const first = await startServer({ dataDir });
    const u = await registerUser(first);
    await first.close();

    const second = await startServer({ shareWith: first });
    try {
      const login = await api(second, 'POST', '/auth/login', { body: { username: u.username, password: u.password } });
      expect(login.status).toBe(200);
      expect(login.body.user.id).toBe(u.id);
      // The secret lives in DATA_DIR, so the old access token still verifies.
      const me = await api(second, 'GET', '/users/@me', { token: u.token });
      expect(me.status).toBe(200);
      expect((await api(second, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status).toBe(200);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
