import { describe, expect, it } from 'vitest';
import { reduceVoiceStates, stateOf, usersIn, type VoiceState } from './voice';

const vs = (user_id: string, channel_id: string | null, extra: Partial<VoiceState> = {}): VoiceState => ({
  guild_id: 'g',
  channel_id,
  user_id,
  session_id: 's',
  deaf: false,
  mute: false,
  self_deaf: false,
  self_mute: false,
  ...extra,
});

describe('reduceVoiceStates', () => {
  it('loads GUILD_CREATE voice_states, then applies joins, moves and leaves', () => {
    let s = reduceVoiceStates({}, { t: 'GUILD_CREATE', d: { id: 'g', voice_states: [{ ...vs('a', 'v1'), guild_id: undefined }] } });
    expect(usersIn(s, 'g', 'v1').map((x) => x.user_id)).toEqual(['a']);
    s = reduceVoiceStates(s, { t: 'VOICE_STATE_UPDATE', d: vs('b', 'v1', { self_mute: true }) });
    expect(usersIn(s, 'g', 'v1').map((x) => x.user_id)).toEqual(['a', 'b']);
    s = reduceVoiceStates(s, { t: 'VOICE_STATE_UPDATE', d: vs('a', 'v2') });
    expect(usersIn(s, 'g', 'v1').map((x) => x.user_id)).toEqual(['b']);
    expect(stateOf(s, 'a')?.channel_id).toBe('v2');
    s = reduceVoiceStates(s, { t: 'VOICE_STATE_UPDATE', d: vs('b', null) });
    expect(usersIn(s, 'g', 'v1')).toEqual([]);
  });

  it('forgets a guild on GUILD_DELETE and ignores unrelated events', () => {
    const s = reduceVoiceStates({}, { t: 'VOICE_STATE_UPDATE', d: vs('a', 'v1') });
    expect(reduceVoiceStates(s, { t: 'MESSAGE_CREATE', d: {} })).toBe(s);
    expect(reduceVoiceStates(s, { t: 'GUILD_DELETE', d: { id: 'g' } })).toEqual({});
  });
});
