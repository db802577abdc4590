import { type ErrorDef, Errors, type FieldError } from '@retrocast/protocol';

/** A failure with Discord's error body. Thrown by services; written by the error handler. */
export class ApiError extends Error {
  constructor(
    readonly def: ErrorDef,
    /** Discord's nested per-field errors, e.g. `{username: {_errors: [...]}}`. */
    readonly errors?: Record<string, unknown>,
  ) {
    super(def.message);
  }

  get status() {
    return this.def.status;
  }

  toBody() {
    return { code: this.def.code, message: this.def.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** `fieldError('username', 'USERNAME_ALREADY_TAKEN', '…')` → `{username: {_errors: [...]}}`. */
export function fieldErrors(entries: Record<string, FieldError>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, err] of Object.entries(entries)) {
    setPath(out, path.split('.').filter(Boolean), err);
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], err: FieldError) {
  let node = target;
  for (const key of path) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  ((node._errors ??= []) as FieldError[]).push(err);
}

/** Shorthand for a 400 Invalid Form Body naming one field. */
export function invalidField(path: string, code: string, message: string): ApiError {
  return new ApiError(Errors.INVALID_FORM_BODY, fieldErrors({ [path]: { code, message } }));
}
