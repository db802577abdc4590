// A real Retrocast server for scripts/fuzz.sh: built server (server/dist), PGlite in a temporary
// data dir (or DATABASE_URL/REDIS_URL when given), listening on 127.0.0.1 at a free port. It seeds
// an owner with a guild, channels, a message, a role, an invite, an emoji and a DM, plus an outsider,
// then prints one JSON line with the URL, tokens and ids, and serves until SIGTERM. Every 5xx the
// server answers is appended to $FUZZ_5XX_LOG (one line each) so the fuzz run can fail on it; on
// exit, the number of responses by status goes to $FUZZ_STATS.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../server/dist/app.js';
import { loadConfig } from '../server/dist/config.js';

const dataDir = mkdtempSync(join(tmpdir(), 'retrocast-fuzz-'));
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  HOST: '127.0.0.1',
  PORT: '0',
  // Plain HTTP on loopback, nothing advertised on the LAN.
  TLS: 'off',
  MDNS: 'off',
  REGISTRATION: 'open',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  // Voice "available" (tokens are minted locally); nothing listens there, and nothing needs to.
  LIVEKIT_URL: 'ws://127.0.0.1:9',
  LIVEKIT_API_KEY: 'fuzz',
  LIVEKIT_API_SECRET: 'fuzz-secret-fuzz-secret-fuzz-secret-0123',
  EMBEDS_DISABLED: '1',
  RATE_LIMIT_DISABLED: '1',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000',
  ARGON2_MEMORY_KIB: '1024',
});
const app = await buildApp(config);
const log5xx = process.env.FUZZ_5XX_LOG;
const byStatus = {};
app.addHook('onResponse', async (req, reply) => {
  byStatus[reply.statusCode] = (byStatus[reply.statusCode] ?? 0) + 1;
  if (reply.statusCode >= 500 && log5xx) appendFileSync(log5xx, `${reply.statusCode} ${req.method} ${req.url}\n`);
});
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${app.server.address().port}`;

async function call(token, method, path, body) {
  const res = await fetch(`${url}/api/v10${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`seed: ${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const register = (username) => call(null, 'POST', '/auth/register', { username, password: 'correct horse battery' });
const owner = await register('fuzz_owner');
const outsider = await register('fuzz_outsider');
const t = owner.access_token;
const guild = await call(t, 'POST', '/guilds', { name: 'fuzz guild' });
const channels = await call(t, 'GET', `/guilds/${guild.id}/channels`);
const text = channels.find((c) => c.type === 0);
const voice = channels.find((c) => c.type === 2);
const message = await call(t, 'POST', `/channels/${text.id}/messages`, { content: 'hello fuzz' });
await call(t, 'PUT', `/channels/${text.id}/messages/${message.id}/reactions/${encodeURIComponent('👍')}/@me`);
await call(t, 'PUT', `/channels/${text.id}/pins/${message.id}`);
const role = await call(t, 'POST', `/guilds/${guild.id}/roles`, { name: 'mods' });
const invite = await call(t, 'POST', `/channels/${text.id}/invites`, {});
// 1×1 transparent PNG.
const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const emoji = await call(t, 'POST', `/guilds/${guild.id}/emojis`, { name: 'fuzz', image: png });
const dm = await call(t, 'POST', '/users/@me/channels', { recipient_id: outsider.user.id });

process.stdout.write(
  `${JSON.stringify({
    url,
    ownerToken: t,
    outsiderToken: outsider.access_token,
    ownerId: owner.user.id,
    outsiderId: outsider.user.id,
    guildId: guild.id,
    channelIds: [text.id, voice.id, dm.id],
    messageId: message.id,
    roleId: role.id,
    inviteCode: invite.code,
    emojiId: emoji.id,
  })}\n`,
);

const stop = async () => {
  await app.close();
  if (process.env.FUZZ_STATS) writeFileSync(process.env.FUZZ_STATS, JSON.stringify(byStatus));
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
