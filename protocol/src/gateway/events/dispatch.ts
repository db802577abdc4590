import { type TSchema, Type } from 'typebox';

/**
 * One dispatch frame: `{op: 0, t: NAME, s, d}` with `t` fixed to one literal and nothing else
 * allowed in the envelope, so an event built with the wrong name or an extra field fails validation.
 */
export const dispatchSchema = <N extends string, D extends TSchema>(t: N, d: D) =>
  Type.Object({ op: Type.Literal(0), t: Type.Literal(t), s: Type.Integer({ minimum: 1 }), d }, { additionalProperties: false });
