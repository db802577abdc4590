import { describe, expect, it } from 'vitest';
import { emptyCalls, reduceCalls } from './calls';

describe('reduceCalls', () => {
  it('tracks a call from create to delete, with who is in it', () => {
    let s = reduceCalls(emptyCalls, { t: 'CALL_CREATE', d: { channel_id: 'c', message_id: 'm', ringing: ['b'] } });
    s = reduceCalls(s, { t: 'VOICE_STATE_UPDATE', d: { channel_id: 'c', user_id: 'a' } });
    expect(s.calls.c.ringing).toEqual(['b']);
    s = reduceCalls(s, { t: 'CALL_UPDATE', d: { channel_id: 'c', message_id: 'm', ringing: [] } });
    s = reduceCalls(s, { t: 'VOICE_STATE_UPDATE', d: { channel_id: 'c', user_id: 'b' } });
    expect(s.voice).toEqual({ a: 'c', b: 'c' });
    s = reduceCalls(s, { t: 'VOICE_STATE_UPDATE', d: { channel_id: null, user_id: 'a' } });
    expect(s.voice).toEqual({ b: 'c' });
    s = reduceCalls(s, { t: 'CALL_DELETE', d: { channel_id: 'c' } });
    expect(s).toEqual(emptyCalls);
  });
  it('takes who is in a running call from CALL_CREATE after READY', () => {
    const s = reduceCalls(emptyCalls, {
      t: 'CALL_CREATE',
      d: { channel_id: 'c', message_id: 'm', ringing: ['me'], voice_states: [{ channel_id: 'c', user_id: 'a' }] },
    });
    expect(s).toEqual({ calls: { c: { channel_id: 'c', message_id: 'm', ringing: ['me'] } }, voice: { a: 'c' } });
  });
  it('ignores guild voice except to drop a user who moved there', () => {
    let s = reduceCalls(emptyCalls, { t: 'VOICE_STATE_UPDATE', d: { channel_id: 'c', user_id: 'a' } });
    s = reduceCalls(s, { t: 'VOICE_STATE_UPDATE', d: { guild_id: 'g', channel_id: 'v', user_id: 'a' } });
    expect(s.voice).toEqual({});
    expect(reduceCalls(s, { t: 'VOICE_STATE_UPDATE', d: { guild_id: 'g', channel_id: 'v', user_id: 'z' } })).toBe(s);
  });
});
