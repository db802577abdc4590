/**
 * Voice states as the gateway reports them (GUILD_CREATE `voice_states`, VOICE_STATE_UPDATE):
 * guild → user → state. Pure reducer, unit-tested beside it.
 */

import type { Member } from '../api/types';
import type { Dispatch } from '../gateway/socket';

export interface VoiceState {
  guild_id?: string;
  channel_id: string | null;
  user_id: string;
  session_id: string;
  member?: Member;
  deaf: boolean;
  mute: boolean;
  self_deaf: boolean;
  self_mute: boolean;
}

export type VoiceStatesState = Record<string, Record<string, VoiceState>>;

export function reduceVoiceStates(state: VoiceStatesState, ev: Dispatch): VoiceStatesState {
  switch (ev.t) {
    case 'GUILD_CREATE': {
      if (!Array.isArray(ev.d.voice_states)) return state;
      const byUser: Record<string, VoiceState> = {};
      for (const s of ev.d.voice_states as VoiceState[]) if (s.channel_id) byUser[s.user_id] = { ...s, guild_id: ev.d.id };
      return { ...state, [ev.d.id]: byUser };
    }
    case 'GUILD_DELETE': {
      if (!(ev.d.id in state)) return state;
      const { [ev.d.id]: _, ...rest } = state;
      return rest;
    }
    case 'VOICE_STATE_UPDATE': {
      const s = ev.d as VoiceState;
      if (!s.guild_id) return state;
      const { [s.user_id]: _, ...others } = state[s.guild_id] ?? {};
      return { ...state, [s.guild_id]: s.channel_id ? { ...others, [s.user_id]: s } : others };
    }
  }
  return state;
}

/** Users in one voice channel, in a stable order. */
export function usersIn(state: VoiceStatesState, guildId: string, channelId: string): VoiceState[] {
  return Object.values(state[guildId] ?? {})
    .filter((s) => s.channel_id === channelId)
    .sort((a, b) => a.user_id.localeCompare(b.user_id));
}

/** The user's voice state in any guild. */
export function stateOf(state: VoiceStatesState, userId: string | undefined): VoiceState | undefined {
  if (!userId) return undefined;
  for (const g of Object.values(state)) if (g[userId]) return g[userId];
  return undefined;
}
