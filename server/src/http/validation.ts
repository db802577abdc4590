import type { FastifyInstance } from 'fastify';
import { invalidField } from './errors.js';
import { compileSerializer, compileValidator } from './schema-cache.js';

/**
 * Request validation and response serialization with the process's compiled schemas
 * (schema-cache.ts). Given to Fastify as its compilers factory (app.ts), so that it loads neither
 * of its own (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler) at start.
 */
const validatorCompiler = ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => compileValidator(schema, httpPart === 'body');
const serializerCompiler = ({ schema }: { schema?: unknown }) => compileSerializer(schema);
export const schemaCompilers = { buildValidator: () => validatorCompiler, buildSerializer: () => serializerCompiler };

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
