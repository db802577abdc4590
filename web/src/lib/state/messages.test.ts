import { describe, expect, it } from 'vitest';
import { emptyMessages, reduceMessages } from './messages';

const msg = (id: string, extra = {}) => ({
  id,
  channel_id: 'c',
  author: { id: 'u' },
  content: `m${id}`,
  timestamp: '',
  nonce: null,
  ...extra,
});
const page = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(String(to - i))); // newest first, like REST

describe('reduceMessages', () => {
  it('merges older pages in front without duplicates and stops when a page is short', () => {
    let s = reduceMessages(emptyMessages, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: page(51, 100), limit: 50 } });
    expect(s.channels.c.hasMore).toBe(true);
    s = reduceMessages(s, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: page(30, 51), before: '51', limit: 50 } });
    const ids = s.channels.c.items.map((m) => Number(m.id));
    expect(ids[0]).toBe(30);
    expect(ids.at(-1)).toBe(100);
    expect(new Set(ids).size).toBe(ids.length);
    expect(s.channels.c.hasMore).toBe(false);
  });

  it('replaces history after a gap so no hole is shown', () => {
    let s = reduceMessages(emptyMessages, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: page(1, 10), limit: 50 } });
    s = reduceMessages(s, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: page(200, 249), limit: 50 } });
    expect(s.channels.c.items[0].id).toBe('200');
    expect(s.channels.c.hasMore).toBe(true);
  });

  it('reconciles a pending send with its MESSAGE_CREATE echo by nonce', () => {
    let s = reduceMessages(emptyMessages, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: [], limit: 50 } });
    s = reduceMessages(s, { t: 'LOCAL_PENDING', d: { nonce: 'n1', channel_id: 'c', content: 'hi', author: { id: 'u' }, timestamp: '' } });
    s = reduceMessages(s, { t: 'LOCAL_SEND_FAILED', d: { nonce: 'n1' } });
    expect(s.pending[0].failed).toBe(true);
    s = reduceMessages(s, { t: 'MESSAGE_CREATE', d: msg('5', { nonce: 'n1' }) });
    s = reduceMessages(s, { t: 'MESSAGE_CREATE', d: msg('5', { nonce: 'n1' }) });
    expect(s.pending).toEqual([]);
    expect(s.channels.c.items.map((m) => m.id)).toEqual(['5']);
  });

  it('applies edits and deletes', () => {
    let s = reduceMessages(emptyMessages, { t: 'LOCAL_HISTORY', d: { channel_id: 'c', messages: page(1, 3), limit: 50 } });
    s = reduceMessages(s, { t: 'MESSAGE_UPDATE', d: { id: '2', channel_id: 'c', content: 'edited', edited_timestamp: 'x' } });
    s = reduceMessages(s, { t: 'MESSAGE_DELETE', d: { id: '1', channel_id: 'c' } });
    expect(s.channels.c.items.map((m) => m.content)).toEqual(['edited', 'm3']);
  });
});
