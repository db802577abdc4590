import { randomBytes } from 'node:crypto';
import { pool, restOk } from './rest.js';

export interface BenchUser {
  id: string;
  username: string;
  token: string;
}

export interface BenchGuild {
  guildId: string;
  channelId: string;
  owner: BenchUser;
  members: BenchUser[];
}

const PASSWORD = 'bench-password-1';

/** Registers `n` users through the real REST route (Argon2 cost lowered by the bench server env). */
export async function registerUsers(base: string, n: number, concurrency = 8): Promise<BenchUser[]> {
  const prefix = `b${randomBytes(3).toString('hex')}`;
  return pool(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const username = `${prefix}_${i}`;
      const r = await restOk(base, 'POST', '/auth/register', { body: { username, password: PASSWORD } });
      return { id: r.user.id as string, username, token: r.access_token as string };
    },
  );
}

/** A guild owned by `owner`, joined by every member through one invite (POST /invites/:code). */
export async function buildGuild(base: string, owner: BenchUser, members: BenchUser[], concurrency = 8): Promise<BenchGuild> {
  const guild = await restOk(base, 'POST', '/guilds', { token: owner.token, body: { name: 'bench' } });
  const channelId = (guild.channels as { id: string; type: number }[]).find((c) => c.type === 0)?.id;
  if (!channelId) throw new Error('POST /guilds returned no text channel');
  const invite = await restOk(base, 'POST', `/channels/${channelId}/invites`, { token: owner.token, body: { max_age: 0, max_uses: 0 } });
  await pool(members, concurrency, (m) => restOk(base, 'POST', `/invites/${invite.code}`, { token: m.token }));
  return { guildId: guild.id, channelId, owner, members };
}

/** Users + guild in one go: the first user owns it, all others join; every user is a member. */
export async function setupGuild(base: string, users: number): Promise<BenchGuild & { all: BenchUser[] }> {
  const all = await registerUsers(base, users);
  const g = await buildGuild(base, all[0], all.slice(1));
  return { ...g, all };
}

/** A fresh access token (they live 15 minutes; datasets outlive that). */
export async function login(base: string, username: string): Promise<string> {
  const r = await restOk(base, 'POST', '/auth/login', { body: { username, password: PASSWORD } });
  return r.access_token as string;
}
