import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemberRequests } from './member-requests';

const member = (id: string) => ({ user: { id, username: `u${id}` }, nick: null, roles: [], joined_at: '2025-01-01T00:00:00Z' });
const chunk = (nonce: string, ids: string[], index = 0, count = 1) => ({
  t: 'GUILD_MEMBERS_CHUNK',
  d: { guild_id: '1', members: ids.map(member), chunk_index: index, chunk_count: count, nonce },
});

describe('MemberRequests', () => {
  let sent: Array<Record<string, any>>;
  let r: MemberRequests;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    r = new MemberRequests((d) => sent.push(d));
  });
  afterEach(() => vi.useRealTimers());

  it('resolves a request once every chunk of its nonce arrived', async () => {
    const all = r.loadAll('1');
    expect(sent).toEqual([{ guild_id: '1', query: '', limit: 0, presences: true, nonce: expect.any(String) }]);
    const nonce = sent[0].nonce;
    r.apply(chunk('other', ['9']));
    r.apply(chunk(nonce, ['2', '3'], 0, 2));
    let done = false;
    void all.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    r.apply(chunk(nonce, ['4'], 1, 2));
    expect((await all).map((m) => m.user.id)).toEqual(['2', '3', '4']);
    // Asked once per session; READY starts over.
    await r.loadAll('1');
    expect(sent).toHaveLength(1);
    r.apply({ t: 'READY', d: {} });
    void r.loadAll('1');
    expect(sent).toHaveLength(2);
  });

  it('asks again for the whole list when the first request went unanswered', async () => {
    const first = r.loadAll('1');
    vi.advanceTimersByTime(10_000);
    expect(await first).toEqual([]);
    expect(r.loadingAll('1')).toBe(false);
    void r.loadAll('1');
    expect(sent).toHaveLength(2);
  });

  it('batches wanted ids (≤ 100 per request), each id once', () => {
    r.want('1', ['2', '3']);
    r.want('1', ['3', '4']);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(sent).toEqual([{ guild_id: '1', user_ids: ['2', '3', '4'], nonce: expect.any(String) }]);
    r.want('1', ['2']);
    r.want(
      '1',
      Array.from({ length: 150 }, (_, i) => String(100 + i)),
    );
    vi.advanceTimersByTime(60);
    expect(sent.slice(1).map((d) => d.user_ids.length)).toEqual([100, 50]);
  });

  it('searches by prefix with a limit', async () => {
    const found = r.search('1', 'ali', 10);
    expect(sent[0]).toMatchObject({ guild_id: '1', query: 'ali', limit: 10 });
    r.apply(chunk(sent[0].nonce, ['5']));
    expect((await found).map((m) => m.user.id)).toEqual(['5']);
  });
});
