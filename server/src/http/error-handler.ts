import { Errors, INT64_PATTERN } from '@retrocast/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, fieldErrors } from './errors.js';
import { isUnavailable } from './unavailable.js';

interface ValidationItem {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's complaints → Discord's per-field codes. */
function toFieldErrors(items: ValidationItem[], context: string) {
  const entries: Record<string, { code: string; message: string }> = {};
  for (const v of items) {
    let path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    if (v.keyword === 'required') path = [path, String(v.params.missingProperty)].filter(Boolean).join('.');
    if (v.keyword === 'additionalProperties') continue;
    const code =
      v.keyword === 'required'
        ? 'BASE_TYPE_REQUIRED'
        : v.keyword === 'maxLength' || v.keyword === 'minLength'
          ? 'BASE_TYPE_BAD_LENGTH'
          : v.keyword === 'maximum' || v.keyword === 'minimum'
            ? 'NUMBER_TYPE_OUT_OF_RANGE'
            : v.keyword === 'pattern'
              ? 'STRING_TYPE_REGEX'
              : v.keyword === 'enum' || v.keyword === 'const'
                ? 'BASE_TYPE_CHOICES'
                : 'BASE_TYPE_INVALID';
    const message = v.keyword === 'required' ? 'This field is required' : (v.message ?? 'Invalid value');
    // An id outside int64 (or not a number): Discord's wording, not our long regex.
    if (v.keyword === 'pattern' && v.params.pattern === INT64_PATTERN) {
      entries[path || context] ??= { code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' };
    }
    entries[path || context] ??= { code, message };
  }
  return fieldErrors(entries);
}

/** One handler for every failure: Discord's error body, never a 5xx message leaked. */
export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send(err.toBody());
    const e = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
    if (e.validation) {
      const body = new ApiError(Errors.INVALID_FORM_BODY, toFieldErrors(e.validation, e.validationContext ?? 'body'));
      return reply.code(400).send(body.toBody());
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send(new ApiError(Errors.ENTITY_TOO_LARGE).toBody());
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.code(400).send(new ApiError(Errors.INVALID_JSON).toBody());
    }
    const status = e.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ code: 0, message: `${status}: ${e.message}` });
    }
    if (isUnavailable(err)) {
      request.log.warn({ err: { message: e.message } }, 'backing service unavailable');
      return reply.code(503).header('Retry-After', '5').send(new ApiError(Errors.SERVICE_UNAVAILABLE).toBody());
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(new ApiError(Errors.INTERNAL).toBody());
  });
}

/**
 * Errors Fastify raises before routing (Fastify's `frameworkErrors` option): a malformed URL
 * (bad percent-encoding) or a path segment longer than any id. No route matches either: 404.
 */
export function frameworkError(_err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send(new ApiError(Errors.NOT_FOUND).toBody());
}

/**
 * 404 with Discord's body, or 405 when the path exists under another method. Routes are recorded
 * as they are added (so call this before any route) and a concrete URL is matched against them.
 */
export function installNotFound(app: FastifyInstance, spa: () => ((path: string) => Buffer | undefined) | undefined) {
  const patterns: { re: RegExp; method: string }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const re = new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+').replace(/\*/g, '.*')}/?$`);
    for (const method of methods) patterns.push({ re, method });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const page = request.method === 'GET' || request.method === 'HEAD' ? spa()?.(path) : undefined;
    if (page) return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(page);
    const other = patterns.some((p) => p.method !== request.method && p.method !== 'HEAD' && p.re.test(path));
    const def = other ? Errors.METHOD_NOT_ALLOWED : Errors.NOT_FOUND;
    return reply.code(def.status).send(new ApiError(def).toBody());
  });
}
