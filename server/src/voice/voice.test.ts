import { Permissions } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../bus/types.js';
import { connectUser } from '../test/gateway.js';
import { createRole } from '../test/guild-fixtures.js';
import { api, backend, startServer, type TestServer } from '../test/helper.js';
import {
  createVoiceGuild,
  eventually,
  FAKE_LIVEKIT,
  grantsOf,
  joinVoice,
  overwrite,
  postWebhook,
  signedWebhook,
  type VoiceGuild,
} from '../test/voice-fixtures.js';
import { voiceOf } from './runtime.js';

describe('voice without LiveKit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('serves text chat and refuses voice joins with 50101', async () => {
    const g = await createVoiceGuild(server);
    const sent = await api(server, 'POST', `/channels/${g.textId}/messages`, { token: g.owner.token, body: { content: 'hi' } });
    expect(sent.status).toBe(200);
    const join = await joinVoice(server, g.owner, g.voiceId);
    expect(join.status).toBe(503);
    expect(join.body.code).toBe(50101);
    const regions = await api(server, 'GET', '/voice/regions', { token: g.owner.token });
    expect(regions.body).toEqual([expect.objectContaining({ id: 'local', optimal: true })]);
  });

  it('answers op 4 with a null VOICE_SERVER_UPDATE endpoint, and closes 4002 on a malformed op 4', async () => {
    const g = await createVoiceGuild(server);
    const gw = await connectUser(server, g.owner);
    gw.send(4, { guild_id: g.guildId, channel_id: g.voiceId, self_mute: false, self_deaf: false });
    const vsu = await gw.dispatch('VOICE_SERVER_UPDATE');
    expect(vsu.d).toEqual({ guild_id: g.guildId, endpoint: null, token: '' });
    gw.send(4, { guild_id: g.guildId, channel_id: 5 });
    expect((await gw.closed).code).toBe(4002);
  });

  it('answers webhooks with 503 when there is no LiveKit', async () => {
    const { body, authorization } = await signedWebhook({ event: 'room_started', room: { name: '1' } });
    expect((await postWebhook(server, body, authorization)).status).toBe(503);
  });
});

describe('voice with LiveKit configured', () => {
  let server: TestServer;
  let g: VoiceGuild;
  const events: BusEvent[] = [];
  const voiceEvents = (userId: string) =>
    events.filter((e) => e.t === 'VOICE_STATE_UPDATE' && (e.d as { user_id: string }).user_id === userId);

  beforeAll(async () => {
    // A short resume window so a dropped gateway session ends (and leaves voice) within the test.
    server = await startServer({ env: { ...FAKE_LIVEKIT, GATEWAY_RESUME_WINDOW_MS: '500' } });
    server.app.ctx.bus.subscribe((e) => events.push(e));
    g = await createVoiceGuild(server);
  });
  afterAll(() => server.close());

  describe('POST /channels/:id/voice/join', () => {
    it('returns a LiveKit URL and a token for the channel room, and dispatches the voice state', async () => {
      const res = await joinVoice(server, g.owner, g.voiceId, { self_mute: true });
      expect(res.status).toBe(200);
      expect(res.body.url).toBe(FAKE_LIVEKIT.LIVEKIT_URL);
      const grants = grantsOf(res.body.token);
      expect(grants).toMatchObject({ identity: g.owner.id, room: g.voiceId, roomJoin: true, canPublish: true, canSubscribe: true });
      expect(grants.ttl).toBeLessThanOrEqual(600);
      expect(res.body.voice_state).toMatchObject({
        guild_id: g.guildId,
        channel_id: g.voiceId,
        user_id: g.owner.id,
        self_mute: true,
        mute: false,
      });
      const dispatched = await eventually(() => voiceEvents(g.owner.id)[0], 3000, 'VOICE_STATE_UPDATE');
      expect(dispatched.guild_id).toBe(g.guildId);
      expect(dispatched.d).toMatchObject({ channel_id: g.voiceId, member: { user: { id: g.owner.id } } });
      const state = await api(server, 'GET', `/guilds/${g.guildId}/voice-states/@me`, { token: g.owner.token });
      expect(state.body).toMatchObject({ channel_id: g.voiceId, session_id: res.body.voice_state.session_id });
    });

    it('gives no token without CONNECT (403) and hides channels the user cannot see (404)', async () => {
      const u = await g.join();
      await overwrite(server, g.owner, g.voiceId, u.id, 0n, Permissions.CONNECT);
      const res = await joinVoice(server, u, g.voiceId);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe(50013);
      expect(res.body.token).toBeUndefined();
      await overwrite(server, g.owner, g.voiceId, u.id, 0n, Permissions.VIEW_CHANNEL);
      expect((await joinVoice(server, u, g.voiceId)).status).toBe(404);
    });

    it('mints a token without canPublish when the user lacks SPEAK', async () => {
      const u = await g.join();
      await overwrite(server, g.owner, g.voiceId, u.id, 0n, Permissions.SPEAK);
      const res = await joinVoice(server, u, g.voiceId);
      expect(res.status).toBe(200);
      expect(grantsOf(res.body.token)).toMatchObject({ canPublish: false, canSubscribe: true });
    });

    it('refuses a full channel unless the user has MOVE_MEMBERS', async () => {
      const created = await api(server, 'POST', `/guilds/${g.guildId}/channels`, {
        token: g.owner.token,
        body: { name: 'Duo', type: 2, user_limit: 1 },
      });
      expect(created.status).toBe(201);
      const a = await g.join();
      const b = await g.join();
      expect((await joinVoice(server, a, created.body.id)).status).toBe(200);
      const full = await joinVoice(server, b, created.body.id);
      expect(full.status).toBe(403);
      expect(full.body.message).toMatch(/full/);
      // Rejoining one's own seat is not "full"; a moderator may always enter.
      expect((await joinVoice(server, a, created.body.id)).status).toBe(200);
      expect((await joinVoice(server, g.owner, created.body.id)).status).toBe(200);
    });

    it('refuses text channels with 50024 and bad bodies with 400', async () => {
      expect((await joinVoice(server, g.owner, g.textId)).body.code).toBe(50024);
      const bad = await joinVoice(server, g.owner, g.voiceId, { self_mute: 'yes' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe(50035);
    });
  });

  describe('gateway op 4', () => {
    it('sends VOICE_SERVER_UPDATE to the joining session only and lists voice states in GUILD_CREATE', async () => {
      const u = await g.join();
      const [mine, other, owner] = [await connectUser(server, u), await connectUser(server, u), await connectUser(server, g.owner)];
      mine.send(4, { guild_id: g.guildId, channel_id: g.voiceId, self_mute: false, self_deaf: true });
      const vsu = await mine.dispatch('VOICE_SERVER_UPDATE');
      expect(vsu.d).toMatchObject({ guild_id: g.guildId, endpoint: FAKE_LIVEKIT.LIVEKIT_URL });
      expect(grantsOf(vsu.d.token)).toMatchObject({ identity: u.id, room: g.voiceId, canSubscribe: true });
      const seen = await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === u.id);
      expect(seen.d).toMatchObject({ channel_id: g.voiceId, session_id: mine.sessionId, self_deaf: true, self_mute: true });
      expect(other.dispatches('VOICE_SERVER_UPDATE')).toHaveLength(0);
      const late = await connectUser(server, g.owner);
      const guild = late.dispatches('GUILD_CREATE').find((f) => f.d.id === g.guildId);
      expect(guild?.d.voice_states).toContainEqual(expect.objectContaining({ user_id: u.id, channel_id: g.voiceId }));
      // Leaving with channel_id null dispatches the leave.
      mine.send(4, { guild_id: g.guildId, channel_id: null, self_mute: false, self_deaf: false });
      await owner.dispatch('VOICE_STATE_UPDATE', (d) => d.user_id === u.id && d.channel_id === null);
      for (const c of [mine, other, owner, late]) {
        expect(c.schemaErrors).toEqual([]);
        c.close();
      }
    });
  });

  describe('gateway session end', () => {
    it('leaves voice when the session that joined ends for good', async () => {
      const u = await g.join();
      const gw = await connectUser(server, u);
      gw.send(4, { guild_id: g.guildId, channel_id: g.voiceId, self_mute: false, self_deaf: false });
      await gw.dispatch('VOICE_SERVER_UPDATE');
      const before = events.length;
      gw.drop();
      await eventually(
        () =>
          events
            .slice(before)
            .some(
              (e) =>
                e.t === 'VOICE_STATE_UPDATE' &&
                (e.d as { user_id: string; channel_id: unknown }).user_id === u.id &&
                (e.d as { channel_id: unknown }).channel_id === null,
            ),
        5000,
        'leave on session end',
      );
    });
  });

  describe('POST /api/livekit/webhook', () => {
    it('rejects forged and unsigned webhooks with 401', async () => {
      const { body } = await signedWebhook({
        event: 'participant_left',
        room: { name: g.voiceId },
        participant: { identity: g.owner.id, sid: 'PA_x' },
      });
      const forged = await signedWebhook(
        { event: 'participant_left' },
        FAKE_LIVEKIT.LIVEKIT_API_KEY,
        'another-secret-that-is-at-least-32-characters',
      );
      expect((await postWebhook(server, body, forged.authorization)).status).toBe(401);
      expect((await postWebhook(server, body, '')).status).toBe(401);
      const tampered = await signedWebhook({ event: 'room_started', room: { name: g.voiceId } });
      expect((await postWebhook(server, body, tampered.authorization)).status).toBe(401);
    });

    it('confirms a join, ignores a stale leave, and dispatches the leave of the known connection', async () => {
      const u = await g.join();
      expect((await joinVoice(server, u, g.voiceId)).status).toBe(200);
      const participant = (sid: string) => ({ room: { name: g.voiceId }, participant: { identity: u.id, sid } });
      const joined = await signedWebhook({ event: 'participant_joined', ...participant('PA_new') });
      expect((await postWebhook(server, joined.body, joined.authorization)).status).toBe(200);
      const stale = await signedWebhook({ event: 'participant_left', ...participant('PA_old') });
      expect((await postWebhook(server, stale.body, stale.authorization)).status).toBe(200);
      expect((await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).status).toBe(200);
      const left = await signedWebhook({ event: 'participant_left', ...participant('PA_new') });
      expect((await postWebhook(server, left.body, left.authorization)).status).toBe(200);
      const gone = await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token });
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe(10065);
      await eventually(() => voiceEvents(u.id).some((e) => (e.d as { channel_id: unknown }).channel_id === null), 3000, 'leave dispatch');
    });
  });

  describe('moderation', () => {
    it('server mute via PATCH /guilds/:id/voice-states/:user needs MUTE_MEMBERS and shows mute: true', async () => {
      const u = await g.join();
      const other = await g.join();
      await joinVoice(server, u, g.voiceId);
      const denied = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: other.token, body: { mute: true } });
      expect(denied.status).toBe(403);
      const ok = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token, body: { mute: true } });
      expect(ok.status).toBe(204);
      const state = await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token });
      expect(state.body).toMatchObject({ mute: true, member: { mute: true } });
      await eventually(() => voiceEvents(u.id).some((e) => (e.d as { mute: boolean }).mute), 3000, 'mute dispatch');
      // Server mute persists on the member: a new join gets a token without canPublish.
      expect(grantsOf((await joinVoice(server, u, g.voiceId)).body.token)).toMatchObject({ canPublish: false, canSubscribe: true });
      const notInVoice = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${other.id}`, {
        token: g.owner.token,
        body: { mute: true },
      });
      expect(notInVoice.body.code).toBe(40032);
    });

    it('server mute/deafen follow the role hierarchy: not someone at or above the moderator, never the owner', async () => {
      const [mod, senior, plain] = [await g.join(), await g.join(), await g.join()];
      const perms = String(Permissions.MUTE_MEMBERS | Permissions.DEAFEN_MEMBERS);
      const modRole = await createRole(server, g.owner.token, g.guildId, { name: 'Mod', permissions: perms });
      const seniorRole = await createRole(server, g.owner.token, g.guildId, { name: 'Senior', permissions: '0' });
      const order = await api(server, 'PATCH', `/guilds/${g.guildId}/roles`, {
        token: g.owner.token,
        body: [
          { id: modRole.id, position: 1 },
          { id: seniorRole.id, position: 2 },
        ],
      });
      expect(order.status).toBe(200);
      await api(server, 'PUT', `/guilds/${g.guildId}/members/${mod.id}/roles/${modRole.id}`, { token: g.owner.token });
      await api(server, 'PUT', `/guilds/${g.guildId}/members/${senior.id}/roles/${seniorRole.id}`, { token: g.owner.token });
      for (const u of [mod, senior, plain, g.owner]) await joinVoice(server, u, g.voiceId);
      const moderate = (target: string, body: Record<string, boolean>, token = mod.token) =>
        api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${target}`, { token, body });
      expect((await moderate(plain.id, { mute: true })).status).toBe(204);
      expect((await moderate(senior.id, { mute: true })).body.code).toBe(50013);
      expect((await moderate(g.owner.id, { mute: true })).body.code).toBe(50013);
      expect((await moderate(g.owner.id, { deaf: true })).body.code).toBe(50013);
      const viaMember = await api(server, 'PATCH', `/guilds/${g.guildId}/members/${g.owner.id}`, {
        token: mod.token,
        body: { mute: true },
      });
      expect(viaMember.status).toBe(403);
      const owner = await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${g.owner.id}`, { token: g.owner.token });
      expect(owner.body.mute).toBe(false);
      // The owner is above everyone, and a moderator may mute themself.
      expect((await moderate(mod.id, { mute: true }, g.owner.token)).status).toBe(204);
      expect((await moderate(mod.id, { mute: false })).status).toBe(204);
    });

    it('server deafen through PATCH /guilds/:id/members/:user reaches the voice state', async () => {
      const u = await g.join();
      await joinVoice(server, u, g.voiceId);
      const res = await api(server, 'PATCH', `/guilds/${g.guildId}/members/${u.id}`, { token: g.owner.token, body: { deaf: true } });
      expect(res.status).toBe(200);
      await eventually(
        async () => (await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).body.deaf,
        3000,
        'deaf',
      );
    });

    it('moves with channel_id and disconnects with null (PATCH member), each in the audit log', async () => {
      const u = await g.join();
      const other = await api(server, 'POST', `/guilds/${g.guildId}/channels`, { token: g.owner.token, body: { name: 'Other', type: 2 } });
      await joinVoice(server, u, g.voiceId);
      const moved = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${u.id}`, {
        token: g.owner.token,
        body: { channel_id: other.body.id },
      });
      expect(moved.status).toBe(204);
      const state = await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token });
      expect(state.body.channel_id).toBe(other.body.id);
      await eventually(() => events.some((e) => e.t === 'VOICE_SERVER_UPDATE' && e.user_ids?.[0] === u.id), 3000, 'VOICE_SERVER_UPDATE');
      const outsider = await g.join();
      const refused = await api(server, 'PATCH', `/guilds/${g.guildId}/members/${u.id}`, {
        token: outsider.token,
        body: { channel_id: null },
      });
      expect(refused.status).toBe(403);
      const dropped = await api(server, 'PATCH', `/guilds/${g.guildId}/members/${u.id}`, {
        token: g.owner.token,
        body: { channel_id: null },
      });
      expect(dropped.status).toBe(200);
      expect((await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).status).toBe(404);
      const log = await api(server, 'GET', `/guilds/${g.guildId}/audit-logs`, { token: g.owner.token });
      const types = log.body.audit_log_entries
        .filter((e: { target_id: string }) => e.target_id === u.id)
        .map((e: { action_type: number }) => e.action_type);
      expect(types).toEqual(expect.arrayContaining([26, 27]));
    });

    it('moves into a full channel, but not where the member may not connect (and then writes nothing)', async () => {
      const [u, x] = [await g.join(), await g.join()];
      const solo = await api(server, 'POST', `/guilds/${g.guildId}/channels`, {
        token: g.owner.token,
        body: { name: 'Solo', type: 2, user_limit: 1 },
      });
      await joinVoice(server, x, solo.body.id);
      await joinVoice(server, u, g.voiceId);
      const moved = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${u.id}`, {
        token: g.owner.token,
        body: { channel_id: solo.body.id },
      });
      expect(moved.status).toBe(204);
      const locked = await api(server, 'POST', `/guilds/${g.guildId}/channels`, {
        token: g.owner.token,
        body: { name: 'Locked', type: 2 },
      });
      await overwrite(server, g.owner, locked.body.id, u.id, 0n, Permissions.CONNECT);
      const refused = await api(server, 'PATCH', `/guilds/${g.guildId}/voice-states/${u.id}`, {
        token: g.owner.token,
        body: { channel_id: locked.body.id },
      });
      expect(refused.status).toBe(403);
      expect((await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).body.channel_id).toBe(
        solo.body.id,
      );
      const log = await api(server, 'GET', `/guilds/${g.guildId}/audit-logs`, { token: g.owner.token });
      expect(
        log.body.audit_log_entries.filter((e: { target_id: string; action_type: number }) => e.target_id === u.id && e.action_type === 26),
      ).toHaveLength(1);
    });

    it('revoking SPEAK takes canPublish away from a connected user', async () => {
      const u = await g.join();
      await joinVoice(server, u, g.voiceId);
      const store = voiceOf(server.app.ctx).store;
      expect((await store.get(u.id))?.can_publish).toBe(true);
      await overwrite(server, g.owner, g.voiceId, u.id, 0n, Permissions.SPEAK);
      await eventually(async () => (await store.get(u.id))?.can_publish === false, 3000, 'canPublish revoked');
    });

    it('losing CONNECT or being kicked disconnects', async () => {
      const u = await g.join();
      const v = await g.join();
      await joinVoice(server, u, g.voiceId);
      await joinVoice(server, v, g.voiceId);
      await overwrite(server, g.owner, g.voiceId, u.id, 0n, Permissions.CONNECT);
      await eventually(
        async () => (await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).status === 404,
        3000,
        'CONNECT revoked',
      );
      expect((await api(server, 'DELETE', `/guilds/${g.guildId}/members/${v.id}`, { token: g.owner.token })).status).toBe(204);
      await eventually(
        async () => (await api(server, 'GET', `/guilds/${g.guildId}/voice-states/${v.id}`, { token: g.owner.token })).status === 404,
        3000,
        'kick',
      );
    });
  });
});

describe.skipIf(backend !== 'postgres' || !process.env.TEST_REDIS_URL)('voice across two instances (Redis)', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer({ env: FAKE_LIVEKIT });
    b = await startServer({ shareWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('shares voice states, and a webhook on one instance dispatches the leave on the other', async () => {
    const g = await createVoiceGuild(a);
    const u = await g.join();
    expect((await joinVoice(a, u, g.voiceId)).status).toBe(200);
    const onB = await api(b, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token });
    expect(onB.body.channel_id).toBe(g.voiceId);
    const seenOnA: BusEvent[] = [];
    a.app.ctx.bus.subscribe((e) => seenOnA.push(e));
    const joined = await signedWebhook({
      event: 'participant_joined',
      room: { name: g.voiceId },
      participant: { identity: u.id, sid: 'PA_1' },
    });
    await postWebhook(b, joined.body, joined.authorization);
    const left = await signedWebhook({
      event: 'participant_left',
      room: { name: g.voiceId },
      participant: { identity: u.id, sid: 'PA_1' },
    });
    expect((await postWebhook(b, left.body, left.authorization)).status).toBe(200);
    await eventually(
      () => seenOnA.some((e) => e.t === 'VOICE_STATE_UPDATE' && (e.d as { channel_id: unknown }).channel_id === null),
      5000,
      'leave on A',
    );
    expect((await api(a, 'GET', `/guilds/${g.guildId}/voice-states/${u.id}`, { token: g.owner.token })).status).toBe(404);
  });
});
