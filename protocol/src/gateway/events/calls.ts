import { Type } from 'typebox';
import { Snowflake } from '../../rest/common.js';
import { dispatchSchema as dispatch } from './dispatch.js';

/** A call in a DM or group DM: its system message and who is being rung (not yet joined or declined). */
const Call = Type.Object(
  {
    channel_id: Snowflake,
    message_id: Snowflake,
    region: Type.String(),
    ringing: Type.Array(Snowflake),
    voice_states: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: false },
);

export const CallCreateEvent = dispatch('CALL_CREATE', Call);
export const CallUpdateEvent = dispatch('CALL_UPDATE', Call);
export const CallDeleteEvent = dispatch('CALL_DELETE', Type.Object({ channel_id: Snowflake }, { additionalProperties: false }));
