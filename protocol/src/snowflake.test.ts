import { describe, expect, it } from 'vitest';
import { SnowflakeGenerator, isSnowflake, snowflakeTimestamp } from './snowflake.js';

describe('SnowflakeGenerator', () => {
  it('makes 1,000,000 unique, strictly increasing ids in a tight loop', () => {
    const gen = new SnowflakeGenerator(1, 2);
    let prev = -1n;
    for (let i = 0; i < 1_000_000; i++) {
      const id = gen.nextBigInt();
      if (id <= prev) throw new Error(`id ${id} not above ${prev} at ${i}`);
      prev = id;
    }
  });

  it('round-trips the timestamp', () => {
    const t = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
    const gen = new SnowflakeGenerator(0, 0, () => t);
    expect(snowflakeTimestamp(gen.next())).toBe(t);
  });

  it('keeps increasing when the clock steps back', () => {
    let t = Date.UTC(2026, 0, 1);
    const gen = new SnowflakeGenerator(0, 0, () => t);
    const a = gen.nextBigInt();
    t -= 10_000;
    const b = gen.nextBigInt();
    expect(b > a).toBe(true);
  });

  it('rolls into the next millisecond after 4096 ids in one millisecond', () => {
    const t = Date.UTC(2026, 0, 1);
    const gen = new SnowflakeGenerator(0, 0, () => t);
    const ids = Array.from({ length: 5000 }, () => gen.nextBigInt());
    expect(new Set(ids).size).toBe(5000);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(snowflakeTimestamp(ids[4096])).toBe(t + 1);
  });

  it('encodes worker and process ids', () => {
    const id = new SnowflakeGenerator(31, 5).nextBigInt();
    expect((id >> 17n) & 31n).toBe(31n);
    expect((id >> 12n) & 31n).toBe(5n);
  });

  it('validates snowflake strings', () => {
    expect(isSnowflake('123')).toBe(true);
    expect(isSnowflake('18446744073709551616')).toBe(false);
    expect(isSnowflake('12a')).toBe(false);
    expect(isSnowflake(123)).toBe(false);
  });
});
