/**
 * Snowflake ids: 41-bit ms timestamp since 2025-01-01T00:00:00Z, 5-bit worker, 5-bit process,
 * 12-bit sequence. Serialized as decimal strings on the wire (JSON numbers lose precision).
 */
export const RETROCAST_EPOCH = 1735689600000n; // 2025-01-01T00:00:00Z

const MAX_SEQUENCE = 0xfffn;

export class SnowflakeGenerator {
  private lastMs = -1n;
  private sequence = 0n;
  private readonly prefix: bigint;

  constructor(
    workerId = 0,
    processId = 0,
    private readonly now: () => number = Date.now,
  ) {
    if (workerId < 0 || workerId > 31 || processId < 0 || processId > 31) {
      throw new RangeError('workerId and processId must be 0..31');
    }
    this.prefix = (BigInt(workerId) << 17n) | (BigInt(processId) << 12n);
  }

  /**
   * Strictly increasing within this generator: if the clock steps back, or 4096 ids are taken in
   * one millisecond, we keep counting on a logical clock that runs ahead of the wall clock.
   */
  nextBigInt(): bigint {
    let ms = BigInt(this.now()) - RETROCAST_EPOCH;
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.sequence += 1n;
      if (this.sequence > MAX_SEQUENCE) {
        ms += 1n;
        this.sequence = 0n;
      }
    } else {
      this.sequence = 0n;
    }
    this.lastMs = ms;
    return (ms << 22n) | this.prefix | this.sequence;
  }

  next(): string {
    return this.nextBigInt().toString();
  }
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTimestamp(id: string | bigint): number {
  return Number((BigInt(id) >> 22n) + RETROCAST_EPOCH);
}

/** The smallest snowflake at a given time; handy for `before`/`after` cursors by date. */
export function snowflakeFromTimestamp(ms: number): string {
  return ((BigInt(ms) - RETROCAST_EPOCH) << 22n).toString();
}

const SNOWFLAKE_RE = /^[0-9]{1,20}$/;

/** True for a decimal string that fits in PostgreSQL's bigint (signed 64-bit). */
export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && SNOWFLAKE_RE.test(value) && BigInt(value) < 1n << 63n;
}

export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
