import { describe, expect, it } from 'vitest';
import { reduceTyping, TYPING_MS, typingIn } from './typing';

describe('reduceTyping', () => {
  it('expires after ten seconds and stops when the typist sends', () => {
    let s = reduceTyping({}, { t: 'TYPING_START', d: { channel_id: 'c', user_id: 'a' } }, 0);
    s = reduceTyping(s, { t: 'TYPING_START', d: { channel_id: 'c', user_id: 'b' } }, 5000);
    expect(typingIn(s, 'c', 1000).sort()).toEqual(['a', 'b']);
    expect(typingIn(s, 'c', TYPING_MS + 1)).toEqual(['b']);
    s = reduceTyping(s, { t: 'MESSAGE_CREATE', d: { channel_id: 'c', author: { id: 'b' } } }, 6000);
    expect(typingIn(s, 'c', 6000)).toEqual(['a']);
    expect(typingIn(s, 'c', 6000, 'a')).toEqual([]);
  });
});
