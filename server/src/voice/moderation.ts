import { Errors, Permissions } from '@retrocast/protocol';
import { doRecordAudit } from '../audit-log/store.js';
import type { AppContext, Caller } from '../context.js';
import { transact } from '../db/tx.js';
import { ApiError } from '../http/errors.js';
import { doUpdateMember } from '../members/service.js';
import { accessGuild, loadChannelAccess } from '../permissions/access.js';
import { voiceOf } from './runtime.js';
import { accessVoiceChannel, doLeaveVoice, doMoveVoice, doSyncVoiceState, VOICE_CHANNEL } from './service.js';
import type { VoiceState } from './store.js';

/** Discord's audit log action types for voice moves (not in protocol's list yet). */
const MEMBER_MOVE = 26;
const MEMBER_DISCONNECT = 27;

export interface VoiceModeration {
  mute?: boolean;
  deaf?: boolean;
  /** Another voice channel of the guild to move to; null disconnects. */
  channel_id?: string | null;
}

/**
 * A moderator's server mute/deafen/move/disconnect of a connected member: MUTE_MEMBERS,
 * DEAFEN_MEMBERS and MOVE_MEMBERS respectively; the target must be in voice in this guild
 * (40032 otherwise, as Discord). Returns the target's current voice state.
 */
export async function accessVoiceModeration(
  ctx: AppContext,
  actorId: string,
  guildId: string,
  userId: string,
  body: VoiceModeration,
): Promise<VoiceState> {
  let needed = 0n;
  if (body.mute !== undefined) needed |= Permissions.MUTE_MEMBERS;
  if (body.deaf !== undefined) needed |= Permissions.DEAFEN_MEMBERS;
  if (body.channel_id !== undefined) needed |= Permissions.MOVE_MEMBERS;
  await accessGuild(ctx.db, guildId, actorId, needed);
  const state = await voiceOf(ctx).store.get(userId);
  if (!state || state.guild_id !== guildId) throw new ApiError(Errors.TARGET_NOT_IN_VOICE);
  if (body.channel_id) {
    // The moderator must see the destination; it must be a voice channel of this guild.
    const dest = await loadChannelAccess(ctx.db, body.channel_id, actorId);
    if (!dest || dest.channel.guildId !== guildId) throw new ApiError(Errors.UNKNOWN_CHANNEL);
    if (dest.channel.type !== VOICE_CHANNEL) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
    // The member moved must be allowed to CONNECT there (checked now, before any write).
    await accessVoiceChannel(ctx.db, body.channel_id, userId);
  }
  return state;
}

/**
 * Applies a checked moderation. Server mute/deaf live on the member row (they persist, as on
 * Discord): the members service writes them with their audit entry, then LiveKit grants follow.
 * A move or disconnect is one audit entry and ends the old connection.
 */
export async function doModerateVoice(
  ctx: AppContext,
  actor: Caller,
  state: VoiceState,
  body: VoiceModeration,
  reason: string | null,
): Promise<void> {
  const { guild_id: guildId, user_id: userId } = state;
  if (!guildId) return; // DM calls have no moderators
  if (body.mute !== undefined || body.deaf !== undefined) {
    await doUpdateMember(ctx, actor, guildId, userId, { mute: body.mute, deaf: body.deaf }, reason);
    await doSyncVoiceState(ctx, userId, guildId);
  }
  if (body.channel_id === undefined || body.channel_id === state.channel_id) return;
  await transact(ctx, async (tx, emit) => {
    const options: Record<string, string> = body.channel_id ? { channel_id: body.channel_id, count: '1' } : { count: '1' };
    const actionType = body.channel_id ? MEMBER_MOVE : MEMBER_DISCONNECT;
    await doRecordAudit(ctx, tx, emit, { guildId, userId: actor.id, targetId: userId, actionType, options, reason });
  });
  if (body.channel_id === null) await doLeaveVoice(ctx, userId, { guild_id: guildId });
  else await doMoveVoice(ctx, userId, guildId, body.channel_id);
}

/**
 * For PATCH /guilds/{id}/members/{user} `channel_id` (members routes): checks the move before the
 * member write, so a refused move writes nothing, and returns the move to run after that write.
 */
export async function checkMemberVoiceMove(ctx: AppContext, actor: Caller, guildId: string, userId: string, channelId: string | null) {
  const state = await accessVoiceModeration(ctx, actor.id, guildId, userId, { channel_id: channelId });
  return (reason: string | null) => doModerateVoice(ctx, actor, state, { channel_id: channelId }, reason);
}
