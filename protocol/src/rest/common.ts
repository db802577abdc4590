import { Type } from 'typebox';

/**
 * A regex source for decimal integers 0..max, without leading zeros: shorter numbers, then numbers
 * as long as `max` that fall below it at their first differing digit, then `max` itself. Used so
 * that a schema (Fastify, OpenAPI, fuzzers) rejects an out-of-range id before it reaches the
 * database, where a bigint overflow would be a 500.
 */
export function decimalUpTo(max: string): string {
  const alts = ['0', `[1-9][0-9]{0,${max.length - 2}}`];
  for (let i = 0; i < max.length; i++) {
    const digit = Number(max[i]);
    const low = i === 0 ? 1 : 0;
    if (digit - 1 < low) continue;
    const rest = max.length - i - 1;
    alts.push(`${max.slice(0, i)}[${low}-${digit - 1}]${rest ? `[0-9]{${rest}}` : ''}`);
  }
  alts.push(max);
  return `^(?:${alts.join('|')})$`;
}

/** PostgreSQL's bigint holds ids and permission bitfields: 0..2^63-1. */
export const INT64_PATTERN = decimalUpTo('9223372036854775807');

/** A snowflake on the wire: a decimal string within int64. */
export const Snowflake = Type.String({ pattern: INT64_PATTERN, description: 'snowflake id' });

/** A permission bitfield on the wire: a decimal string within int64. */
export const PermissionBits = Type.String({ pattern: INT64_PATTERN, description: 'permission bitfield' });

export const IdParam = (name: string) => Type.Object({ [name]: Snowflake });

/** Discord's error body, for response schemas. */
export const ErrorResponse = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  errors: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** Discord's 429 body: the error body plus when to retry. */
export const RateLimitedResponse = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  retry_after: Type.Optional(Type.Number()),
  global: Type.Optional(Type.Boolean()),
});
