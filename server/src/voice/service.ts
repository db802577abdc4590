import { randomBytes } from 'node:crypto';
import { Errors, hasPermission, Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import { doNotifyCallVoiceState } from '../calls/service.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/client.js';
import { users } from '../db/schema.js';
import { ApiError } from '../http/errors.js';
import { accessGuild, type ChannelAccess, loadChannelAccess } from '../permissions/access.js';
import { type Grants, mintToken, roomService, setParticipantGrants } from './livekit.js';
import type { LiveKit } from './livekit-process.js';
import { requireLiveKit, type VoiceRuntime, voiceOf } from './runtime.js';
import type { Match, VoiceState } from './store.js';
import { loadWireMember, toWireVoiceState } from './wire.js';

/** How long a joined user has to show up at LiveKit before their voice state is dropped. */
const CONNECT_TIMEOUT_MS = 30_000;

export const VOICE_CHANNEL = 2;

/** A fresh voice session id for joins that do not come through a gateway session. */
export const newVoiceSessionId = () => randomBytes(16).toString('hex');

/** What a voice state allows at LiveKit: speaking needs SPEAK and no server mute. */
export function grantsFor(permissions: bigint, s: Pick<VoiceState, 'mute' | 'deaf'>): Grants {
  return { canPublish: hasPermission(permissions, Permissions.SPEAK) && !s.mute, canSubscribe: !s.deaf };
}

/**
 * A guild voice channel the user may CONNECT to, or a DM / group DM they are in (a call: guildId
 * null). Unknown Channel when they cannot see it, 50024 when it is not a voice channel, 50013
 * without CONNECT.
 */
export async function accessVoiceChannel(
  q: Queryable,
  channelId: string,
  userId: string,
): Promise<ChannelAccess & { guildId: string | null }> {
  const access = await loadChannelAccess(q, channelId, userId);
  if (access && !access.guild && (access.channel.type === 1 || access.channel.type === 3)) return { ...access, guildId: null };
  if (!access?.guild) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  if (access.channel.type !== VOICE_CHANNEL) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  if (!hasPermission(access.permissions, Permissions.CONNECT)) throw new ApiError(Errors.MISSING_PERMISSIONS);
  return { ...access, guildId: access.guild.guild.id };
}

/** Refuses a full channel (`user_limit`, 0 = unlimited) unless the user has MOVE_MEMBERS. */
export async function checkRoomFor(rt: VoiceRuntime, access: ChannelAccess, userId: string): Promise<void> {
  const limit = access.channel.userLimit ?? 0;
  if (!limit || hasPermission(access.permissions, Permissions.MOVE_MEMBERS)) return;
  const inside = (await rt.store.list(access.channel.guildId ?? undefined)).filter(
    (s) => s.channel_id === access.channel.id && s.user_id !== userId,
  );
  if (inside.length >= limit) throw new ApiError(Errors.VOICE_CHANNEL_FULL);
}

/** A guild member's voice state, for another member of the guild (10065 when not in voice). */
export async function accessVoiceState(ctx: AppContext, viewerId: string, guildId: string, userId: string) {
  await accessGuild(ctx.db, guildId, viewerId);
  const s = await voiceOf(ctx).store.get(userId);
  if (!s || s.guild_id !== guildId) throw new ApiError(Errors.UNKNOWN_VOICE_STATE);
  return toWireVoiceState(s, s.channel_id, (await loadWireMember(ctx.db, guildId, userId)) ?? undefined);
}

/** Publishes one VOICE_STATE_UPDATE to the guild (a DM call's recipients); `channelId` null is the leave. */
export async function notifyVoiceState(ctx: AppContext, s: VoiceState, channelId: string | null = s.channel_id): Promise<void> {
  if (s.guild_id === null) return doNotifyCallVoiceState(ctx, s, channelId, toWireVoiceState(s, channelId));
  const member = await loadWireMember(ctx.db, s.guild_id, s.user_id);
  await ctx.bus.publish({ t: 'VOICE_STATE_UPDATE', d: toWireVoiceState(s, channelId, member ?? undefined), guild_id: s.guild_id });
}

/** Best-effort LiveKit call: LiveKit being briefly unreachable must not fail the user's request. */
async function atLiveKit(ctx: AppContext, what: string, fn: (lk: LiveKit) => Promise<unknown>): Promise<void> {
  const lk = voiceOf(ctx).lk;
  if (!lk?.up()) return;
  try {
    await fn(lk);
  } catch (err) {
    ctx.log.debug({ err }, `voice: LiveKit ${what} failed`);
  }
}

export const kickParticipant = (ctx: AppContext, room: string, identity: string) =>
  atLiveKit(ctx, 'removeParticipant', async (lk) => (await roomService(lk)).removeParticipant(room, identity));

export interface JoinOptions {
  sessionId: string;
  /** The guild the client named (op 4; null for a DM call): the channel must belong to it. */
  guildId?: string | null;
  /** A moderator's move: the channel's user limit does not apply (as Discord). */
  moved?: boolean;
  selfMute?: boolean;
  selfDeaf?: boolean;
  /** Our origin as the client reached it (`wss://host:port`), to build a LiveKit URL it can reach. */
  origin?: string;
}

export interface VoiceServer {
  guild_id: string | null;
  endpoint: string;
  token: string;
  state: VoiceState;
}

/**
 * Joins (or moves) the user into a voice channel: checks CONNECT and the user limit, stores the
 * state, dispatches it, and mints the LiveKit token for the client to connect with. One voice
 * channel per user: a previous connection elsewhere is ended at LiveKit.
 */
export async function doJoinVoice(ctx: AppContext, userId: string, channelId: string, opts: JoinOptions): Promise<VoiceServer> {
  const rt = voiceOf(ctx);
  const lk = await requireLiveKit(rt);
  const access = await accessVoiceChannel(ctx.db, channelId, userId);
  if (opts.guildId !== undefined && (opts.guildId ?? null) !== access.guildId) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  if (!opts.moved) await checkRoomFor(rt, access, userId);
  // DM calls have no member row: nobody can server-mute there.
  const member = access.guildId ? await loadWireMember(ctx.db, access.guildId, userId) : await loadCallMember(ctx.db, userId);
  if (!member) throw new ApiError(Errors.UNKNOWN_CHANNEL);
  const selfDeaf = opts.selfDeaf ?? false;
  const state: VoiceState = {
    guild_id: access.guildId,
    channel_id: channelId,
    user_id: userId,
    session_id: opts.sessionId,
    deaf: member.deaf,
    mute: member.mute,
    self_deaf: selfDeaf,
    self_mute: (opts.selfMute ?? false) || selfDeaf,
    connected: false,
  };
  const grants = grantsFor(access.permissions, state);
  const origin = opts.origin ?? (await rt.store.get(userId))?.origin;
  if (origin) state.origin = origin;
  state.can_publish = grants.canPublish;
  const prev = await rt.store.put(state);
  // Another guild, or another DM call (DM calls share guild_id null): the old place sees the leave.
  if (prev && (prev.guild_id !== state.guild_id || (prev.guild_id === null && prev.channel_id !== channelId)))
    await notifyVoiceState(ctx, prev, null);
  if (prev && prev.channel_id !== channelId) await kickParticipant(ctx, prev.channel_id, userId);
  await notifyVoiceState(ctx, state);
  expectConnection(ctx, rt, state);
  const token = await mintToken(lk, channelId, userId, member.user.global_name ?? member.user.username, grants);
  return { guild_id: state.guild_id, endpoint: lk.clientUrl(origin), token, state };
}

/** A DM caller as the shape doJoinVoice needs (no server mute/deafen in DMs). */
async function loadCallMember(q: Queryable, userId: string) {
  const [u] = await q.select({ username: users.username, global_name: users.displayName }).from(users).where(eq(users.id, userId)).limit(1);
  return u ? { mute: false, deaf: false, user: u } : null;
}

/** Drops the state if LiveKit never reports the participant (client crashed between op 4 and connect). */
function expectConnection(ctx: AppContext, rt: VoiceRuntime, s: VoiceState): void {
  const timer = setTimeout(async () => {
    rt.timers.delete(timer);
    const now = await rt.store.get(s.user_id).catch(() => null);
    if (now && !now.connected && now.session_id === s.session_id && now.channel_id === s.channel_id) {
      await doLeaveVoice(ctx, s.user_id, { session_id: s.session_id, channel_id: s.channel_id }).catch(() => {});
    }
  }, CONNECT_TIMEOUT_MS);
  timer.unref();
  rt.timers.add(timer);
}

/**
 * Removes the user's voice state if it matches, dispatches the leave, and ends the LiveKit
 * connection (unless LiveKit itself reported it gone). Returns the removed state, or null.
 */
export async function doLeaveVoice(
  ctx: AppContext,
  userId: string,
  match: Match = {},
  opts: { kick?: boolean } = {},
): Promise<VoiceState | null> {
  const removed = await voiceOf(ctx).store.remove(userId, match);
  if (!removed) return null;
  await notifyVoiceState(ctx, removed, null);
  if (opts.kick !== false) await kickParticipant(ctx, removed.channel_id, userId);
  return removed;
}

/** op 4 for the channel the session is already in: only self mute/deaf change. */
export async function doUpdateSelfVoice(
  ctx: AppContext,
  userId: string,
  sessionId: string,
  selfMute: boolean,
  selfDeaf: boolean,
): Promise<VoiceState | null> {
  const s = await voiceOf(ctx).store.update(userId, { session_id: sessionId }, { self_mute: selfMute || selfDeaf, self_deaf: selfDeaf });
  if (s) await notifyVoiceState(ctx, s);
  return s;
}

/**
 * Re-derives a connected user's voice state from the database: server mute/deaf from their
 * member row, LiveKit grants from their current permissions; disconnects them when they lost
 * CONNECT (or can no longer see the channel). Dispatches when the visible state changed. Called
 * after any write that may change these (member update, roles, overwrites, moderation).
 */
export async function doSyncVoiceState(ctx: AppContext, userId: string, guildId: string): Promise<VoiceState | null> {
  const rt = voiceOf(ctx);
  const s = await rt.store.get(userId);
  if (!s || s.guild_id !== guildId) return null;
  const access = await loadChannelAccess(ctx.db, s.channel_id, userId);
  const member = access ? await loadWireMember(ctx.db, guildId, userId) : null;
  if (!access || !member || !hasPermission(access.permissions, Permissions.CONNECT)) {
    await doLeaveVoice(ctx, userId, { channel_id: s.channel_id, session_id: s.session_id });
    return null;
  }
  const flags = { mute: member.mute, deaf: member.deaf };
  const grants = grantsFor(access.permissions, flags);
  const visible = flags.mute !== s.mute || flags.deaf !== s.deaf;
  const grantsChanged = grants.canPublish !== s.can_publish || flags.deaf !== s.deaf;
  if (!visible && !grantsChanged) return s;
  const next = await rt.store.update(
    userId,
    { channel_id: s.channel_id, session_id: s.session_id },
    { ...flags, can_publish: grants.canPublish },
  );
  if (!next) return null;
  if (grantsChanged) await atLiveKit(ctx, 'updateParticipant', (lk) => setParticipantGrants(lk, s.channel_id, userId, grants));
  if (visible) await notifyVoiceState(ctx, next);
  return next;
}

/**
 * Moves a connected user to another voice channel of the same guild (moderator action; the
 * caller checked MOVE_MEMBERS). The user gets VOICE_SERVER_UPDATE with a token for the new room
 * on all their sessions; their old connection is ended.
 */
export async function doMoveVoice(ctx: AppContext, userId: string, guildId: string, channelId: string): Promise<VoiceState> {
  const rt = voiceOf(ctx);
  const prev = await rt.store.get(userId);
  if (!prev || prev.guild_id !== guildId) throw new ApiError(Errors.TARGET_NOT_IN_VOICE);
  if (prev.channel_id === channelId) return prev;
  const server = await doJoinVoice(ctx, userId, channelId, {
    sessionId: prev.session_id,
    selfMute: prev.self_mute,
    selfDeaf: prev.self_deaf,
    moved: true,
  });
  await ctx.bus.publish({
    t: 'VOICE_SERVER_UPDATE',
    d: { guild_id: guildId, endpoint: server.endpoint, token: server.token },
    user_ids: [userId],
    meta: { voice_session_id: prev.session_id },
  });
  return server.state;
}
