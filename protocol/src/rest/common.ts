import { Type } from 'typebox';

/** A snowflake on the wire: a decimal string. */
export const Snowflake = Type.String({ pattern: '^[0-9]{1,20}$', description: 'snowflake id' });

export const IdParam = (name: string) => Type.Object({ [name]: Snowflake });

/** Discord's error body, for response schemas. */
export const ErrorResponse = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  errors: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
