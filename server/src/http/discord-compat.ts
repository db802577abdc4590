import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Integers of 16 or more digits outside strings: ids that JSON.parse would round (2^53 has 16
 * digits). The first alternative consumes whole strings so digits inside them are left alone.
 */
const BIG_INT = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

/**
 * JSON.parse that keeps snowflakes sent as numbers (discord.py sends ints): any integer of 16+
 * digits becomes its exact decimal string, which is what every schema here expects for an id.
 */
export function parseJsonKeepingIds(text: string): unknown {
  const safe = /\d{16}/.test(text) ? text.replace(BIG_INT, (m) => (m.startsWith('"') ? m : `"${m}"`)) : text;
  return JSON.parse(safe);
}

/** A number where an id is expected (small numeric ids in bodies) becomes its string. */
const ID_KEY = /(^id$|_id$|^messages$|^users$|^roles$|^recipients$|^user_ids$)/;
function stringifyIds(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && ID_KEY.test(key)) return String(value);
  if (Array.isArray(value)) return ID_KEY.test(key) ? value.map((v) => stringifyIds(v, key)) : value.map((v) => stringifyIds(v));
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = stringifyIds(v, k);
  }
  return value;
}

/** Parses a JSON request body the Discord way: exact numeric ids, and an empty body is no body. */
export function parseDiscordJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  return stringifyIds(parseJsonKeepingIds(text));
}

const RELATIVE_URL = /"(url|proxy_url)":"\/(attachments|external)\//g;

/**
 * Attachment and preview URLs are built without a request (messages are shaped once for REST and
 * gateway); Discord libraries need them absolute, so they are completed where the JSON leaves,
 * with the base the client used (or PUBLIC_URL).
 */
export function absoluteUrls(json: string, base: string): string {
  if (!json.includes('":"/')) return json;
  return json.replace(RELATIVE_URL, (_m, key, dir) => `"${key}":"${base}/${dir}/`);
}

/** The HTTP base URL of a request: PUBLIC_URL, or the scheme and host the client used. */
export function requestBase(publicUrl: string | undefined, req: { protocol: string; host: string }): string {
  return publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;
}

/** Query booleans as Discord takes them: `true`/`false`/`1`/`0` (Ajv alone only coerces true/false). */
function coerceQueryBooleans(req: FastifyRequest) {
  const props = (req.routeOptions.schema?.querystring as { properties?: Record<string, { type?: string }> } | undefined)?.properties;
  const query = req.query as Record<string, unknown> | undefined;
  if (!props || !query) return;
  for (const [k, v] of Object.entries(query)) {
    if (props[k]?.type !== 'boolean' || typeof v !== 'string') continue;
    if (v === '1' || v.toLowerCase() === 'true') query[k] = true;
    else if (v === '0' || v.toLowerCase() === 'false') query[k] = false;
  }
}

/**
 * What Discord libraries rely on beyond the documented shapes (see README "Bots"):
 * - JSON responses say exactly `application/json` (discord.py parses nothing else as JSON);
 * - JSON bodies keep numeric snowflakes exact; a bodyless PUT/POST with any content type (aiohttp
 *   sends `application/octet-stream`) is accepted as no body;
 * - query booleans `1`/`0`.
 * Call before any route is registered; the multipart parser and narrower parsers still win.
 */
export function installDiscordCompat(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseDiscordJson(body as string));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
  // Any other type: only an empty body is accepted (it is no body); anything else stays a 415.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), undefined);
  });
  app.addHook('preValidation', async (req) => coerceQueryBooleans(req));
  app.addHook('onSend', async (req, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !type.startsWith('application/json')) return payload;
    if (type !== 'application/json') reply.header('content-type', 'application/json');
    return typeof payload === 'string' ? absoluteUrls(payload, requestBase(app.ctx.config.publicUrl, req)) : payload;
  });
}
