import { type Static, Type } from 'typebox';
import { dispatchSchema } from '../gateway/events/dispatch.js';
import { registerDispatchEvent } from '../gateway/events/index.js';
import { Snowflake } from './common.js';

/** Discord's voice state object (VOICE_STATE_UPDATE payload; GUILD_CREATE omits guild_id, member). */
export const VoiceStatePayload = Type.Object({
  guild_id: Type.Optional(Snowflake),
  channel_id: Type.Union([Snowflake, Type.Null()]),
  user_id: Snowflake,
  member: Type.Optional(Type.Unknown()),
  session_id: Type.String(),
  deaf: Type.Boolean(),
  mute: Type.Boolean(),
  self_deaf: Type.Boolean(),
  self_mute: Type.Boolean(),
  self_stream: Type.Boolean(),
  self_video: Type.Boolean(),
  suppress: Type.Boolean(),
  request_to_speak_timestamp: Type.Null(),
});
export type VoiceStatePayload = Static<typeof VoiceStatePayload>;

/** Gateway op 4 payload (client → server). `channel_id: null` leaves. */
export const VoiceStateUpdateCommand = Type.Object({
  /** null: a call in the DM or group DM `channel_id`. */
  guild_id: Type.Union([Snowflake, Type.Null()]),
  channel_id: Type.Union([Snowflake, Type.Null()]),
  self_mute: Type.Boolean(),
  self_deaf: Type.Boolean(),
  self_video: Type.Optional(Type.Boolean()),
});
export type VoiceStateUpdateCommand = Static<typeof VoiceStateUpdateCommand>;

/** VOICE_SERVER_UPDATE: `endpoint` is the LiveKit URL (null: voice unavailable), `token` a LiveKit access token. */
export const VoiceServerUpdate = Type.Object({
  /** null for a DM call, which names its `channel_id` instead. */
  guild_id: Type.Union([Snowflake, Type.Null()]),
  channel_id: Type.Optional(Snowflake),
  endpoint: Type.Union([Type.String(), Type.Null()]),
  token: Type.String(),
});
export type VoiceServerUpdate = Static<typeof VoiceServerUpdate>;

/** POST /channels/{id}/voice/join (Retrocast): join without a gateway. */
export const VoiceJoinBody = Type.Object(
  { self_mute: Type.Optional(Type.Boolean()), self_deaf: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const VoiceJoinResponse = Type.Object({ url: Type.String(), token: Type.String(), voice_state: VoiceStatePayload });
export type VoiceJoinResponse = Static<typeof VoiceJoinResponse>;

export const VoiceRegion = Type.Object({
  id: Type.String(),
  name: Type.String(),
  optimal: Type.Boolean(),
  deprecated: Type.Boolean(),
  custom: Type.Boolean(),
});

/** PATCH /guilds/{id}/voice-states/{user}: server mute/deafen, move (channel_id) or disconnect (null). */
export const VoiceModerationBody = Type.Object(
  {
    mute: Type.Optional(Type.Boolean()),
    deaf: Type.Optional(Type.Boolean()),
    channel_id: Type.Optional(Type.Union([Snowflake, Type.Null()])),
  },
  { additionalProperties: false },
);

/** The voice dispatches, registered with the gateway's schema table (tests validate against it). */
export const VoiceStateUpdateEvent = dispatchSchema('VOICE_STATE_UPDATE', VoiceStatePayload);
export const VoiceServerUpdateEvent = dispatchSchema('VOICE_SERVER_UPDATE', VoiceServerUpdate);
registerDispatchEvent('VOICE_STATE_UPDATE', VoiceStateUpdateEvent);
registerDispatchEvent('VOICE_SERVER_UPDATE', VoiceServerUpdateEvent);
