import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { invalidField } from './errors.js';

/**
 * Bodies are validated strictly (a number is not a string: `{"username": 123}` is a 400), while
 * path and query strings are coerced to the declared types, as they only ever arrive as text.
 */
export function installValidation(app: FastifyInstance) {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    return ajv;
  };
  const strict = make(false);
  const coercing = make('array');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}

/** The path of the first string holding a NUL character (`content`, `embeds.0.title`), if any. */
export function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (!value || typeof value !== 'object' || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\0')) return path ? `${path}.${key.replaceAll('\0', '')}` : key.replaceAll('\0', '');
    const hit = findNul(item, path ? `${path}.${key}` : key, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * No text with a NUL character reaches a handler: PostgreSQL cannot store it (a 500), and no
 * client has a reason to send one. Checked on parameters, query and body (JSON or multipart's
 * payload_json) after schema validation, before the handler runs; a 400 names the field.
 */
export function installNulGuard(app: FastifyInstance) {
  app.addHook('preHandler', async (req) => {
    for (const [part, value] of [
      ['params', req.params],
      ['query', req.query],
      ['body', req.body],
    ] as const) {
      const path = findNul(value, '');
      if (path !== undefined) throw invalidField(path || part, 'STRING_TYPE_INVALID_CHARACTERS', 'Must not contain NUL characters.');
    }
  });
}
