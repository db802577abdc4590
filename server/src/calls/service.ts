import { Errors } from '@retrocast/protocol';
import type { AppContext, Caller } from '../context.js';
import type { Tx } from '../db/client.js';
import { type Emit, transact } from '../db/tx.js';
import { loadMembers, lockPrivateChannel } from '../dms/store.js';
import { doSystemMessage, SystemMessageType } from '../dms/system-messages.js';
import { registerAfterReady } from '../gateway/extensions.js';
import { ApiError, invalidField } from '../http/errors.js';
import { toWireMessages } from '../messages/service.js';
import { accessChannel } from '../permissions/access.js';
import { voiceOf } from '../voice/runtime.js';
import type { VoiceState } from '../voice/store.js';
import { toWireVoiceState } from '../voice/wire.js';
import { type CallRecord, findActiveCall, findActiveCallsOf, saveCall } from './store.js';

/**
 * Calls in DMs and group DMs, on the voice states voice/ keeps (guild_id null, LiveKit room = the
 * channel id). The first joiner starts the call: a type 3 system message and CALL_CREATE ringing
 * everyone else; joining or declining stops one's ringing (CALL_UPDATE), so does the ring timeout;
 * the last one out ends it: the message gets its end time (MESSAGE_UPDATE) and CALL_DELETE goes out.
 */

const wireCall = (channelId: string, messageId: string, call: CallRecord) => ({
  channel_id: channelId,
  message_id: messageId,
  region: 'local',
  ringing: call.ringing ?? [],
});

/** voice/ calls this for every DM call voice state change (`channelId` null: the user left). */
export async function doNotifyCallVoiceState(ctx: AppContext, s: VoiceState, channelId: string | null, wire: unknown) {
  await ctx.bus.publish({ t: 'VOICE_STATE_UPDATE', d: wire, channel_id: s.channel_id });
  if (channelId) await doCallJoined(ctx, s.channel_id, s.user_id);
  else await doCallLeft(ctx, s.channel_id);
}

async function doCallJoined(ctx: AppContext, channelId: string, userId: string) {
  await transact(ctx, async (tx, emit) => {
    const channel = await lockPrivateChannel(tx, channelId);
    if (!channel) return;
    const active = await findActiveCall(tx, channelId);
    if (!active) {
      const ringing = (await loadMembers(tx, channelId)).map((u) => u.id).filter((id) => id !== userId);
      const call: CallRecord = { participants: [userId], ended_timestamp: null, ringing };
      const row = await doSystemMessage(ctx, tx, emit, channel, userId, { type: SystemMessageType.CALL, call });
      emit({ t: 'CALL_CREATE', d: { ...wireCall(channelId, row.id, call), voice_states: [] }, channel_id: channelId });
      scheduleRingTimeout(ctx, channelId, row.id);
      return;
    }
    const { call } = active;
    const ringing = call.ringing ?? [];
    if (call.participants.includes(userId) && !ringing.includes(userId)) return;
    const next = { ...call, participants: [...new Set([...call.participants, userId])], ringing: ringing.filter((id) => id !== userId) };
    await saveCall(tx, active.id, next);
    emit({ t: 'CALL_UPDATE', d: wireCall(channelId, active.id, next), channel_id: channelId });
  });
}

async function doCallLeft(ctx: AppContext, channelId: string) {
  const still = (await voiceOf(ctx).store.list()).some((v) => v.guild_id === null && v.channel_id === channelId);
  if (still) return;
  await transact(ctx, async (tx, emit) => {
    if (!(await lockPrivateChannel(tx, channelId))) return;
    const active = await findActiveCall(tx, channelId);
    if (!active) return;
    const row = await saveCall(tx, active.id, { ...active.call, ended_timestamp: new Date().toISOString(), ringing: [] });
    const [wire] = await toWireMessages(tx, [row]);
    emit({ t: 'MESSAGE_UPDATE', d: wire, channel_id: channelId });
    emit({ t: 'CALL_DELETE', d: { channel_id: channelId }, channel_id: channelId });
  });
}

/** Inside tx: stops ringing `userIds` in the running call (if it is still `messageId`, when given). */
async function doStopRingingIn(tx: Tx, emit: Emit, channelId: string, userIds: string[] | 'all', messageId?: string) {
  if (!(await lockPrivateChannel(tx, channelId))) return;
  const active = await findActiveCall(tx, channelId);
  if (!active || (messageId && active.id !== messageId)) return;
  const ringing = active.call.ringing ?? [];
  const next = userIds === 'all' ? [] : ringing.filter((id) => !userIds.includes(id));
  if (next.length === ringing.length) return;
  const call = { ...active.call, ringing: next };
  await saveCall(tx, active.id, call);
  emit({ t: 'CALL_UPDATE', d: wireCall(channelId, active.id, call), channel_id: channelId });
}

/** POST /channels/{id}/call/stop-ringing: decline (yourself) or stop ringing `recipients`. */
export async function doStopRinging(ctx: AppContext, who: Caller, channelId: string, recipients?: string[]) {
  const { channel } = await accessChannel(ctx.db, channelId, who.id);
  if (channel.guildId) throw new ApiError(Errors.INVALID_CHANNEL_TYPE);
  if (recipients?.length) {
    // Only people in this conversation can be rung or stop ringing; anything else is a bad body.
    const members = new Set((await loadMembers(ctx.db, channelId)).map((u) => u.id));
    const stranger = recipients.find((id) => !members.has(id));
    if (stranger !== undefined) throw invalidField('recipients', 'USER_NOT_IN_CHANNEL', 'Not a recipient of this channel.');
  }
  await transact(ctx, (tx, emit) => doStopRingingIn(tx, emit, channelId, recipients?.length ? recipients : [who.id]));
}

/** Nobody rings forever: after the timeout the call's ringing list is emptied. */
function scheduleRingTimeout(ctx: AppContext, channelId: string, messageId: string) {
  const rt = voiceOf(ctx);
  const timer = setTimeout(() => {
    rt.timers.delete(timer);
    transact(ctx, (tx, emit) => doStopRingingIn(tx, emit, channelId, 'all', messageId)).catch((err) =>
      ctx.log.debug({ err }, 'calls: ring timeout failed'),
    );
  }, ctx.config.voice.ringTimeoutMs);
  timer.unref();
  rt.timers.add(timer);
}

/**
 * A new gateway session learns of calls already running in its DMs (as Discord: CALL_CREATE after
 * READY, with who is in them), so a reload mid-call still rings or shows the call.
 */
async function runningCallsFor(ctx: AppContext, userId: string) {
  const active = await findActiveCallsOf(ctx.db, userId);
  if (!active.length) return [];
  const states = (await voiceOf(ctx).store.list()).filter((v) => v.guild_id === null);
  return active.map((m) => ({
    t: 'CALL_CREATE',
    d: {
      ...wireCall(m.channelId, m.id, m.call),
      voice_states: states.filter((v) => v.channel_id === m.channelId).map((v) => toWireVoiceState(v)),
    },
  }));
}

export function installCallsGateway() {
  registerAfterReady(runningCallsFor);
}
