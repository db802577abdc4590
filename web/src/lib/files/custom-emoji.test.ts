import { describe, expect, it } from 'vitest';
import { parseInline } from '../markdown/parse';

describe('custom emoji in messages', () => {
  it('parses <:name:id> and <a:name:id> into emoji nodes', () => {
    expect(parseInline('hi <:gold:123> <a:dance_2:456>')).toEqual([
      { t: 'text', v: 'hi ' },
      { t: 'emoji', animated: false, name: 'gold', id: '123' },
      { t: 'text', v: ' ' },
      { t: 'emoji', animated: true, name: 'dance_2', id: '456' },
    ]);
  });
  it('leaves look-alikes as text', () => {
    expect(parseInline('<:a:1> <:na me:1>').some((n) => n.t === 'emoji')).toBe(false);
  });
});
