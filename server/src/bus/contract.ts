import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, BusEvent } from './types.js';

/** The behaviour every Bus must have. Each implementation's test file calls this once. */
export function describeBusContract(name: string, makeBus: () => Promise<Bus>) {
  describe(`Bus contract: ${name}`, () => {
    const open: Bus[] = [];
    const make = async () => {
      const b = await makeBus();
      open.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    const waitFor = async (got: BusEvent[], n: number) => {
      const deadline = Date.now() + 3000;
      while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };

    it('delivers published events to every subscriber in order', async () => {
      const bus = await make();
      const a: BusEvent[] = [];
      const b: BusEvent[] = [];
      bus.subscribe((e) => a.push(e));
      bus.subscribe((e) => b.push(e));
      for (let i = 0; i < 100; i++) await bus.publish({ t: 'TEST', d: { i }, guild_id: '1' });
      await waitFor(a, 100);
      await waitFor(b, 100);
      expect(a.map((e) => (e.d as { i: number }).i)).toEqual([...Array(100).keys()]);
      expect(b).toEqual(a);
    });

    it('keeps routing fields intact', async () => {
      const bus = await make();
      const got: BusEvent[] = [];
      bus.subscribe((e) => got.push(e));
      const ev: BusEvent = { t: 'X', d: { a: [1, 'b'] }, channel_id: '5', user_ids: ['7'], meta: { k: 1 } };
      await bus.publish(ev);
      await waitFor(got, 1);
      expect(got[0]).toEqual(ev);
    });

    it('stops delivering after unsubscribe', async () => {
      const bus = await make();
      const got: BusEvent[] = [];
      const off = bus.subscribe((e) => got.push(e));
      await bus.publish({ t: 'A', d: 1 });
      await waitFor(got, 1);
      off();
      await bus.publish({ t: 'B', d: 2 });
      await new Promise((r) => setTimeout(r, 100));
      expect(got.map((e) => e.t)).toEqual(['A']);
    });

    it('reaches subscribers on another instance sharing the backend', async () => {
      const one = await make();
      const two = await make();
      if (one.kind === 'memory') return; // one process, one bus: nothing to share
      const got: BusEvent[] = [];
      two.subscribe((e) => got.push(e));
      await one.publish({ t: 'CROSS', d: 'hi' });
      await waitFor(got, 1);
      expect(got.map((e) => e.t)).toEqual(['CROSS']);
    });
  });
}

/** Extra behaviour of buses that keep an event log (Redis). */
export function describeBusLog(name: string, makeBus: () => Promise<Bus>) {
  describe(`Bus log: ${name}`, () => {
    it('hands each event its log id and replays everything after a given id, in order', async () => {
      const bus = await makeBus();
      try {
        const ids: string[] = [];
        bus.subscribe((_e, id) => ids.push(id as string));
        const start = await bus.lastId!();
        for (let i = 0; i < 5; i++) await bus.publish({ t: 'LOG', d: { i }, guild_id: '1' });
        const deadline = Date.now() + 3000;
        while (ids.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        const all = await bus.readSince!(start);
        expect(all.map((e) => e.id)).toEqual(ids);
        expect(all.map((e) => (e.event.d as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
        const tail = await bus.readSince!(ids[2]);
        expect(tail.map((e) => e.id)).toEqual(ids.slice(3));
      } finally {
        await bus.close();
      }
    });

    it('settled() resolves once its own publishes have reached its subscribers', async () => {
      const bus = await makeBus();
      try {
        const seen: number[] = [];
        bus.subscribe((e) => seen.push((e.d as { i: number }).i));
        await bus.settled!();
        for (let round = 0; round < 20; round++) {
          await bus.publish({ t: 'SETTLE', d: { i: round }, guild_id: '1' });
          await bus.settled!();
          expect(seen.at(-1)).toBe(round);
        }
      } finally {
        await bus.close();
      }
    });
  });
}
