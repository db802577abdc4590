import { type AuthorizeQuery, Errors } from '@retrocast/protocol';
import { ApiError } from '../http/errors.js';

/**
 * The query of GET/POST /oauth2/authorize, checked strictly the way Discord answers a bad
 * authorize link: 400 Invalid Form Body naming each wrong field. The schema already bounds the
 * lengths and id formats; this checks what a schema cannot say well.
 */
const SCOPES = new Set(['bot', 'applications.commands']);
const MAX_PERMISSIONS = (1n << 64n) - 1n;

type FieldErrors = Record<string, { _errors: { code: string; message: string }[] }>;

/** A permissions integer (a string of digits), else the error for `field`. */
export function checkPermissions(value: string | undefined, field: string, errors: FieldErrors) {
  if (value !== undefined && BigInt(value) > MAX_PERMISSIONS)
    errors[field] = { _errors: [{ code: 'NUMBER_TYPE_OUT_OF_RANGE', message: 'Permissions must fit in 64 bits.' }] };
}

export function checkAuthorizeQuery(query: AuthorizeQuery, bodyPermissions?: string) {
  const errors: FieldErrors = {};
  const scopes = (query.scope ?? 'bot').split(/[\s+]+/).filter(Boolean);
  const unknown = scopes.filter((s) => !SCOPES.has(s));
  if (unknown.length)
    errors.scope = {
      _errors: [
        { code: 'BASE_TYPE_CHOICES', message: `Invalid scope: ${unknown[0].slice(0, 64)}. Supported: bot, applications.commands.` },
      ],
    };
  else if (!scopes.includes('bot'))
    errors.scope = { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'Only the "bot" scope is supported.' }] };
  checkPermissions(query.permissions, 'permissions', errors);
  checkPermissions(bodyPermissions, 'permissions', errors);
  if (query.response_type !== undefined && query.response_type !== 'code')
    errors.response_type = { _errors: [{ code: 'BASE_TYPE_CHOICES', message: 'response_type must be "code".' }] };
  if (query.redirect_uri !== undefined && !isHttpUrl(query.redirect_uri))
    errors.redirect_uri = { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] };
  if (Object.keys(errors).length) throw new ApiError(Errors.INVALID_FORM_BODY, errors);
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
