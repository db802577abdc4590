import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fastJson from 'fast-json-stringify';

/**
 * Route schemas compiled once per distinct schema in the process, for request validation (Ajv) and
 * response serialization (fast-json-stringify, what Fastify uses by default). Every route repeats
 * the same error and parameter schemas, and route plugins build their schema objects afresh on
 * every registration, so the key is a digest of the schema's JSON (TypeBox's symbol keys mean
 * nothing to either compiler). Each compiles a copy parsed from that JSON: Ajv caches by object and
 * code may change a schema object after it was compiled (openapi.ts), so the compiled function always
 * matches the content it is filed under. Compiling was most of an app's build (~0.4 s of CPU per
 * start, mostly duplicates); the test suites build hundreds of apps in a few processes.
 */
const keyOf = (json: string) => createHash('sha256').update(json).digest('base64');

const makeAjv = (coerceTypes: boolean | 'array') => {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: true, allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
};
let ajvs: { strict: Ajv; coercing: Ajv } | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * Bodies are validated strictly (a number is not a string: `{"username": 123}` is a 400), while
 * path and query strings are coerced to the declared types, as they only ever arrive as text.
 */
export function compileValidator(schema: unknown, strict: boolean): ValidateFunction {
  const json = JSON.stringify(schema);
  const key = (strict ? 'strict:' : 'coercing:') + keyOf(json);
  let validate = validators.get(key);
  if (!validate) {
    ajvs ??= { strict: makeAjv(false), coercing: makeAjv('array') };
    validate = (strict ? ajvs.strict : ajvs.coercing).compile(JSON.parse(json));
    validators.set(key, validate);
  }
  return validate;
}

type Serialize = (doc: unknown) => string;
const serializers = new Map<string, Serialize>();

/** Fastify's default response serializer (no shared schemas are added), compiled once per schema. */
export function compileSerializer(schema: unknown): Serialize {
  const json = JSON.stringify(schema);
  const key = keyOf(json);
  let serialize = serializers.get(key);
  if (!serialize) {
    serialize = fastJson(JSON.parse(json)) as Serialize;
    serializers.set(key, serialize);
  }
  return serialize;
}
