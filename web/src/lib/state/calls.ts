/** Running DM calls and who is in them. Pure reducer, unit-tested beside it. */
import type { Dispatch } from '../gateway/socket';

export interface Call {
  channel_id: string;
  message_id: string;
  ringing: string[];
}

export interface CallsState {
  /** Running call per DM / group DM. */
  calls: Record<string, Call>;
  /** user id → the DM channel whose call they are in. */
  voice: Record<string, string>;
}

export const emptyCalls: CallsState = { calls: {}, voice: {} };

export function reduceCalls(s: CallsState, { t, d }: Dispatch): CallsState {
  switch (t) {
    case 'READY':
      return emptyCalls;
    case 'CALL_CREATE':
    case 'CALL_UPDATE': {
      const calls = { ...s.calls, [d.channel_id]: { channel_id: d.channel_id, message_id: d.message_id, ringing: d.ringing ?? [] } };
      // CALL_CREATE after READY (a call already running) says who is in it.
      const inside = (d.voice_states ?? []) as Array<{ user_id: string; channel_id: string | null }>;
      const voice = { ...s.voice };
      for (const v of inside) if (v.channel_id) voice[v.user_id] = v.channel_id;
      return { calls, voice: inside.length ? voice : s.voice };
    }
    case 'CALL_DELETE': {
      const { [d.channel_id]: _gone, ...calls } = s.calls;
      const voice = Object.fromEntries(Object.entries(s.voice).filter(([, ch]) => ch !== d.channel_id));
      return { calls, voice };
    }
    case 'VOICE_STATE_UPDATE': {
      if (d.guild_id) {
        // Joining guild voice ends any DM call on the server side too.
        if (!(d.user_id in s.voice)) return s;
        const { [d.user_id]: _x, ...voice } = s.voice;
        return { ...s, voice };
      }
      const { [d.user_id]: _old, ...voice } = s.voice;
      return { ...s, voice: d.channel_id ? { ...voice, [d.user_id]: d.channel_id } : voice };
    }
    default:
      return s;
  }
}
