import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type fastJson from 'fast-json-stringify';

/**
 * Route schemas compiled once per distinct schema in the process, for request validation (Ajv) and
 * response serialization (fast-json-stringify, what Fastify uses by default), and only when a route
 * first uses them. Every route repeats the same error and parameter schemas, and route plugins
 * build their schema objects afresh on every registration, so the key is a digest of the schema's
 * JSON (TypeBox's symbol keys mean nothing to either compiler). Each compiles a copy parsed from
 * that JSON, taken at registration: Ajv caches by object and code may change a schema object after
 * it was registered (openapi.ts), so the compiled function always matches the content it is filed
 * under. Compiling at registration was most of an app's build (~0.7 s of a cold start's CPU: every
 * route documents ten error bodies, and each GET has a HEAD twin); the test suites build hundreds
 * of apps in a few processes. Ajv and fast-json-stringify themselves load (synchronously: Fastify
 * compiles synchronously) at the first compile, so a start loads neither.
 */
const require = createRequire(import.meta.url);
const keyOf = (json: string) => createHash('sha256').update(json).digest('base64');

/** Compiles that have not run yet (compileAllSchemas). */
const pending = new Set<() => unknown>();

/** A function that calls `compile` on its first call (or at compileAllSchemas) and is the compiled one after. */
function onFirstUse<F>(compile: () => F): () => F {
  let fn: F | undefined;
  const build = () => {
    pending.delete(build);
    fn ??= compile();
    return fn;
  };
  pending.add(build);
  return () => fn ?? build();
}

const makeAjv = (coerceTypes: boolean | 'array') => {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as (a: Ajv) => void;
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
};
let ajvs: { strict: Ajv; coercing: Ajv } | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * Bodies are validated strictly (a number is not a string: `{"username": 123}` is a 400), while
 * path and query strings are coerced to the declared types, as they only ever arrive as text.
 * The function returned compiles at its first call; `errors` and `schemaEnv` are the compiled
 * function's: Fastify reads the first after a failure, and passes the parent object (which Ajv
 * needs to coerce or default a whole querystring or params value) only to functions with the second.
 */
export function compileValidator(schema: unknown, strict: boolean): ValidateFunction {
  const json = JSON.stringify(schema);
  const key = (strict ? 'strict:' : 'coercing:') + keyOf(json);
  let validate = validators.get(key);
  if (!validate) {
    const compiled = onFirstUse(() => {
      ajvs ??= { strict: makeAjv(false), coercing: makeAjv('array') };
      return (strict ? ajvs.strict : ajvs.coercing).compile(JSON.parse(json));
    });
    const lazy = (data: unknown, dataCtx?: Parameters<ValidateFunction>[1]) => compiled()(data, dataCtx);
    Object.defineProperty(lazy, 'errors', { get: () => compiled().errors });
    Object.defineProperty(lazy, 'schemaEnv', { get: () => compiled().schemaEnv });
    validate = lazy as ValidateFunction;
    validators.set(key, validate);
  }
  return validate;
}

type Serialize = (doc: unknown) => string;
const serializers = new Map<string, Serialize>();

/** Fastify's default response serializer (no shared schemas are added), compiled once per schema at its first use. */
export function compileSerializer(schema: unknown): Serialize {
  const json = JSON.stringify(schema);
  const key = keyOf(json);
  let serialize = serializers.get(key);
  if (!serialize) {
    const compiled = onFirstUse(() => (require('fast-json-stringify') as typeof fastJson)(JSON.parse(json)) as Serialize);
    serialize = (doc) => compiled()(doc);
    serializers.set(key, serialize);
  }
  return serialize;
}

/** Compiles every schema still waiting for its first use (a test proves they all compile); returns how many. */
export function compileAllSchemas(): number {
  const builds = [...pending];
  for (const build of builds) build();
  return builds.length;
}
