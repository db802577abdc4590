import { hasPermission, Permissions } from '@retrocast/protocol';
import { eq } from 'drizzle-orm';
import type { WebhookEvent } from 'livekit-server-sdk';
import type { BusEvent } from '../bus/types.js';
import type { AppContext } from '../context.js';
import { guilds } from '../db/schema.js';
import { loadChannelAccess } from '../permissions/access.js';
import { roomService } from './livekit.js';
import { voiceOf } from './runtime.js';
import { doLeaveVoice, doSyncVoiceState, grantsFor, kickParticipant, notifyVoiceState, VOICE_CHANNEL } from './service.js';
import type { VoiceState } from './store.js';
import { loadWireMember } from './wire.js';

/**
 * LiveKit is the truth about who is connected. This module keeps voice states in line with it:
 * webhooks (join/leave), startup reconciliation, and bus events that change who may be there.
 */

/** A participant LiveKit reports in `room`: confirm their state, or adopt one we do not know. */
export async function doParticipantJoined(ctx: AppContext, room: string, identity: string, sid: string): Promise<void> {
  const rt = voiceOf(ctx);
  const confirmed = await rt.store.update(identity, { channel_id: room }, { connected: true, participant_sid: sid });
  if (confirmed) return;
  // Unknown to us (store lost on restart, or a token from before a move): admit them only if they
  // may still connect there, as if they had joined now.
  const access = await loadChannelAccess(ctx.db, room, identity);
  const member = access?.guild ? await loadWireMember(ctx.db, access.guild.guild.id, identity) : null;
  if (!access?.guild || !member || access.channel.type !== VOICE_CHANNEL || !hasPermission(access.permissions, Permissions.CONNECT)) {
    await kickParticipant(ctx, room, identity);
    return;
  }
  const state: VoiceState = {
    guild_id: access.guild.guild.id,
    channel_id: room,
    user_id: identity,
    session_id: sid,
    deaf: member.deaf,
    mute: member.mute,
    self_deaf: false,
    self_mute: false,
    connected: true,
    participant_sid: sid,
  };
  state.can_publish = grantsFor(access.permissions, state).canPublish;
  const prev = await rt.store.put(state);
  if (prev && prev.guild_id !== state.guild_id) await notifyVoiceState(ctx, prev, null);
  if (prev && prev.channel_id !== room) await kickParticipant(ctx, prev.channel_id, identity);
  await notifyVoiceState(ctx, state);
}

/** Signed LiveKit webhook → voice state changes. Events about other rooms are ignored. */
export async function doHandleWebhook(ctx: AppContext, event: WebhookEvent): Promise<void> {
  const room = event.room?.name;
  const p = event.participant;
  if (!room) return;
  switch (event.event) {
    case 'participant_joined':
      if (p) await doParticipantJoined(ctx, room, p.identity, p.sid);
      return;
    case 'participant_left':
    case 'participant_connection_aborted':
      // Only the connection we know: a stale leave of an older connection must not remove a rejoin.
      if (p) await doLeaveVoice(ctx, p.identity, { channel_id: room, participant_sid: p.sid }, { kick: false });
      return;
    case 'room_finished':
      for (const s of await voiceOf(ctx).store.list()) {
        if (s.channel_id === room && s.connected)
          await doLeaveVoice(ctx, s.user_id, { channel_id: room, session_id: s.session_id }, { kick: false });
      }
      return;
  }
}

/** At startup: drop states LiveKit no longer has, adopt participants we have no state for. */
export async function doReconcile(ctx: AppContext): Promise<void> {
  const rt = voiceOf(ctx);
  if (!rt.lk?.up()) return;
  const svc = await roomService(rt.lk);
  const present = new Map<string, Set<string>>();
  for (const room of await svc.listRooms()) {
    const participants = await svc.listParticipants(room.name);
    present.set(room.name, new Set(participants.map((p) => p.identity)));
    for (const p of participants) await doParticipantJoined(ctx, room.name, p.identity, p.sid);
  }
  for (const s of await rt.store.list()) {
    if (s.connected && !present.get(s.channel_id)?.has(s.user_id)) {
      await doLeaveVoice(ctx, s.user_id, { channel_id: s.channel_id, session_id: s.session_id }, { kick: false });
    }
  }
}

/**
 * Bus events that change who may be in voice: a member leaving (kick, ban, leave) is
 * disconnected; permission changes re-check CONNECT and SPEAK of everyone in the guild's voice
 * channels; deleting a voice channel or the guild ends its connections. Every instance reacts;
 * the store's compare-and-set lets only one of them dispatch each leave.
 */
export async function onBusEvent(ctx: AppContext, e: BusEvent): Promise<void> {
  const meta = e.meta ?? {};
  const guildId = e.guild_id ?? (typeof meta.guild_id === 'string' ? meta.guild_id : undefined);
  if (typeof meta.leave === 'string' && guildId) {
    await doLeaveVoice(ctx, meta.leave, { guild_id: guildId });
    return;
  }
  const d = (e.d ?? {}) as { id?: string; type?: number };
  if (e.t === 'CHANNEL_DELETE' && d.type === VOICE_CHANNEL && d.id) {
    for (const s of await voiceOf(ctx).store.list(guildId))
      if (s.channel_id === d.id) await doLeaveVoice(ctx, s.user_id, { channel_id: d.id });
    return;
  }
  if (e.t === 'GUILD_DELETE' && d.id && !e.user_ids) {
    const [still] = await ctx.db.select({ id: guilds.id }).from(guilds).where(eq(guilds.id, d.id)).limit(1);
    if (!still) for (const s of await voiceOf(ctx).store.list(d.id)) await doLeaveVoice(ctx, s.user_id, { guild_id: d.id });
    return;
  }
  if (guildId && (meta.permissions_changed || e.t === 'GUILD_MEMBER_UPDATE' || e.t === 'GUILD_ROLE_UPDATE' || e.t === 'CHANNEL_UPDATE')) {
    for (const s of await voiceOf(ctx).store.list(guildId)) await doSyncVoiceState(ctx, s.user_id, guildId);
  }
}
