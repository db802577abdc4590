/** Voice test setup through the real routes: a guild with members joined by invite. */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { AccessToken } from 'livekit-server-sdk';
import { api, registerUser, type TestServer, type TestUser } from './helper.js';

/** A LiveKit that is never reached: enough to mint tokens and verify webhooks in fast tests. */
export const FAKE_LIVEKIT = {
  LIVEKIT_URL: 'ws://127.0.0.1:9',
  LIVEKIT_API_KEY: 'APItestkey',
  LIVEKIT_API_SECRET: 'test-secret-that-is-at-least-32-characters-long',
};

export interface VoiceGuild {
  owner: TestUser;
  guildId: string;
  textId: string;
  voiceId: string;
  /** Registers a user and joins them through an invite. */
  join(): Promise<TestUser>;
}

export async function createVoiceGuild(server: TestServer): Promise<VoiceGuild> {
  const owner = await registerUser(server);
  const res = await api(server, 'POST', '/guilds', { token: owner.token, body: { name: 'Voice Tests' } });
  if (res.status !== 201) throw new Error(`create guild: ${res.status} ${JSON.stringify(res.body)}`);
  const textId = res.body.channels.find((c: { type: number }) => c.type === 0).id;
  const voiceId = res.body.channels.find((c: { type: number }) => c.type === 2).id;
  const invite = await api(server, 'POST', `/channels/${textId}/invites`, { token: owner.token, body: { max_age: 0 } });
  if (invite.status !== 200) throw new Error(`invite: ${invite.status} ${JSON.stringify(invite.body)}`);
  return {
    owner,
    guildId: res.body.id,
    textId,
    voiceId,
    join: async () => {
      const u = await registerUser(server);
      const r = await api(server, 'POST', `/invites/${invite.body.code}`, { token: u.token });
      if (r.status !== 200) throw new Error(`accept invite: ${r.status} ${JSON.stringify(r.body)}`);
      return u;
    },
  };
}

/** PUT a member overwrite on a channel (as the owner). */
export async function overwrite(server: TestServer, owner: TestUser, channelId: string, userId: string, allow: bigint, deny: bigint) {
  const r = await api(server, 'PUT', `/channels/${channelId}/permissions/${userId}`, {
    token: owner.token,
    body: { type: 1, allow: allow.toString(), deny: deny.toString() },
  });
  if (r.status !== 204) throw new Error(`overwrite: ${r.status} ${JSON.stringify(r.body)}`);
}

export const joinVoice = (server: TestServer, user: TestUser, channelId: string, body: Record<string, unknown> = {}) =>
  api(server, 'POST', `/channels/${channelId}/voice/join`, { token: user.token, body });

/** The LiveKit grants inside a join token. */
export function grantsOf(token: string) {
  const claims = decodeJwt(token) as { sub?: string; exp?: number; nbf?: number; video?: Record<string, unknown> };
  return { identity: claims.sub, ttl: (claims.exp ?? 0) - (claims.nbf ?? 0), ...(claims.video ?? {}) } as Record<string, any>;
}

/** A webhook body signed as LiveKit signs it (JWT carrying the body's sha256). */
export async function signedWebhook(
  event: Record<string, unknown>,
  key = FAKE_LIVEKIT.LIVEKIT_API_KEY,
  secret = FAKE_LIVEKIT.LIVEKIT_API_SECRET,
) {
  const body = JSON.stringify({ id: `EV_${Date.now()}`, createdAt: String(Math.floor(Date.now() / 1000)), ...event });
  const at = new AccessToken(key, secret);
  at.sha256 = createHash('sha256').update(body).digest('base64');
  return { body, authorization: await at.toJwt() };
}

export async function postWebhook(server: TestServer, body: string, authorization: string) {
  const res = await fetch(`${server.url}/api/livekit/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/webhook+json', authorization },
    body,
  });
  return { status: res.status, body: await res.text() };
}

/** Polls until `fn` returns a truthy value (bus delivery and webhooks are asynchronous). */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
