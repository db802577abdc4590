import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aggregateStatus, createMemoryPresenceStore, createRedisPresenceStore, type PresenceStore } from './store.js';

describe('aggregateStatus', () => {
  it('shows the most present session; invisible and nothing read as offline', () => {
    expect(aggregateStatus(['idle', 'online'])).toBe('online');
    expect(aggregateStatus(['idle', 'dnd'])).toBe('dnd');
    expect(aggregateStatus(['invisible', 'idle'])).toBe('idle');
    expect(aggregateStatus(['invisible'])).toBe('offline');
    expect(aggregateStatus([])).toBe('offline');
  });
});

/** The behaviour both stores share; the Redis one is what several instances agree through. */
function describePresenceStore(name: string, make: () => Promise<PresenceStore>) {
  describe(`PresenceStore: ${name}`, () => {
    it('reports a change only when the aggregate changes, to exactly one writer', async () => {
      const store = await make();
      try {
        expect(await store.set('1', 'a', 'online', 10_000)).toBe('online');
        expect(await store.set('1', 'b', 'idle', 10_000)).toBeNull();
        expect(await store.set('1', 'a', null, 10_000)).toBe('idle');
        expect(await store.set('1', 'b', 'invisible', 10_000)).toBe('offline');
        expect(await store.set('1', 'b', null, 10_000)).toBeNull();
        const racing = await Promise.all([store.set('2', 'x', 'online', 10_000), store.set('2', 'y', 'online', 10_000)]);
        expect(racing.filter(Boolean)).toEqual(['online']);
        expect(await store.get(['1', '2', '3'])).toEqual(new Map([['2', 'online']]));
      } finally {
        await store.close();
      }
    });

    it('sweeps entries nobody refreshed (sessions of a crashed instance)', async () => {
      const store = await make();
      try {
        await store.set('5', 'dead', 'online', 50);
        await store.set('6', 'dead', 'dnd', 50);
        await store.set('6', 'alive', 'idle', 60_000);
        await new Promise((r) => setTimeout(r, 80));
        const changed = await store.sweep();
        expect(changed.sort((a, b) => a.userId.localeCompare(b.userId))).toEqual([
          { userId: '5', status: 'offline' },
          { userId: '6', status: 'idle' },
        ]);
        expect(await store.sweep()).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}

describePresenceStore('memory', async () => createMemoryPresenceStore());
const url = process.env.TEST_REDIS_URL;
if (url) describePresenceStore('redis', () => createRedisPresenceStore(url, `test-presence-${randomBytes(4).toString('hex')}`));
