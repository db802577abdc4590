import { describe, expect, it } from 'vitest';
import { emptyReadStates, isUnread, mentionCount, reduceReadStates } from './read-states';

describe('reduceReadStates', () => {
  const ready = reduceReadStates(emptyReadStates, {
    t: 'READY',
    d: { user: { id: 'me' }, read_state: [{ id: 'c', last_message_id: '10', mention_count: 0 }] },
  });

  it('counts mentions of me, @everyone and my roles, and clears them on ack', () => {
    let s = reduceReadStates(ready, {
      t: 'MESSAGE_CREATE',
      d: { id: '11', channel_id: 'c', guild_id: 'g', author: { id: 'x' }, mentions: [{ id: 'me' }] },
    });
    s = reduceReadStates(s, {
      t: 'MESSAGE_CREATE',
      d: { id: '12', channel_id: 'c', guild_id: 'g', author: { id: 'x' }, mention_everyone: true },
    });
    s = reduceReadStates(
      s,
      { t: 'MESSAGE_CREATE', d: { id: '13', channel_id: 'c', guild_id: 'g', author: { id: 'x' }, mention_roles: ['r'] } },
      () => ['r'],
    );
    s = reduceReadStates(s, { t: 'MESSAGE_CREATE', d: { id: '14', channel_id: 'c', guild_id: 'g', author: { id: 'x' }, mentions: [] } });
    expect(mentionCount(s, 'c')).toBe(3);
    expect(isUnread(s, 'c', '14')).toBe(true);
    s = reduceReadStates(s, { t: 'MESSAGE_ACK', d: { channel_id: 'c', message_id: '14', mention_count: 0 } });
    expect(mentionCount(s, 'c')).toBe(0);
    expect(isUnread(s, 'c', '14')).toBe(false);
  });

  it('treats my own messages as read and ignores stale acks', () => {
    let s = reduceReadStates(ready, { t: 'MESSAGE_CREATE', d: { id: '20', channel_id: 'c', author: { id: 'me' } } });
    expect(isUnread(s, 'c', '20')).toBe(false);
    s = reduceReadStates(s, { t: 'MESSAGE_ACK', d: { channel_id: 'c', message_id: '15' } });
    expect(s.byChannel.c.last_message_id).toBe('20');
  });
});
