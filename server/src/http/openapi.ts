import { ErrorResponse, RateLimitedResponse } from '@retrocast/protocol';
import type { FastifyInstance } from 'fastify';
import { emptyBodyAsObject } from '../guilds/optional-body.js';

const OPTIONAL_BODY = 'x-optional-body';

/**
 * Failures any API route can answer with: validation, auth, permission, lookup, conflict, size,
 * type, and 503 while a backing service (database, voice) is unavailable.
 */
const COMMON_ERRORS = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  503: ErrorResponse,
};

/**
 * Completes every API route's documented responses, so the OpenAPI document (and the fuzzer that
 * checks the server against it) lists what the server really answers: the common error bodies, the
 * 429 body, and `204 No Content` for API routes that declare no success body; bodies that may be left
 * out (`emptyBodyAsObject`) are marked for `finishOpenApi`. Call before any route.
 */
export function installResponseDocs(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    const api = route.url.startsWith('/api/v10/');
    route.schema ??= {};
    if ([route.preValidation].flat().includes(emptyBodyAsObject)) (route.schema as Record<string, unknown>)[OPTIONAL_BODY] = true;
    route.schema.response ??= {};
    const response = route.schema.response as Record<string, unknown>;
    // Outside the API (files, pictures) a success is whatever the route serves: only errors are added.
    if (api && !Object.keys(response).some((code) => code.startsWith('2'))) response[204] = { type: 'null', description: 'No Content' };
    for (const [code, body] of Object.entries(COMMON_ERRORS)) response[code] ??= body;
    response[429] ??= RateLimitedResponse;
  });
}

/** Drops `additionalProperties: false`: request validation strips unknown fields rather than refusing them. */
function allowExtraFields(schema: unknown) {
  if (!schema || typeof schema !== 'object') return;
  const node = schema as Record<string, unknown>;
  if (node.additionalProperties === false) delete node.additionalProperties;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach(allowExtraFields);
    else allowExtraFields(value);
  }
}

/**
 * The generated document, told what the server does with requests: a body that may be left out
 * is `required: false`, and unknown fields are ignored (as in Discord's API), not an error.
 */
export function finishOpenApi<T>(doc: T): T {
  const paths = (doc as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {};
  for (const ops of Object.values(paths)) {
    for (const op of Object.values(ops)) {
      allowExtraFields(op.requestBody);
      allowExtraFields(op.parameters);
      if (!op[OPTIONAL_BODY]) continue;
      delete op[OPTIONAL_BODY];
      if (op.requestBody) (op.requestBody as { required: boolean }).required = false;
    }
  }
  return doc;
}
