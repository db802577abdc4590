/**
 * The one catalogue of error codes Retrocast returns, with Discord's JSON error codes, HTTP statuses
 * and messages. Services throw `new ApiError(Errors.UNKNOWN_CHANNEL)`; one handler writes the body
 * `{code, message, errors?}`.
 */
export interface ErrorDef {
  code: number;
  status: number;
  message: string;
}

const e = (code: number, status: number, message: string): ErrorDef => ({ code, status, message });

export const Errors = {
  /** general */
  GENERAL: e(0, 400, 'General error'),
  NOT_FOUND: e(0, 404, '404: Not Found'),
  METHOD_NOT_ALLOWED: e(0, 405, '405: Method Not Allowed'),
  URI_TOO_LONG: e(0, 414, '414: URI Too Long'),
  INTERNAL: e(0, 500, 'Internal Server Error'),
  UPLOAD_URL_USED: e(0, 409, 'This upload URL was already used'),
  RATE_LIMITED: e(0, 429, 'You are being rate limited.'),
  /** The database or Redis is unreachable for now; retry after `Retry-After` seconds. */
  SERVICE_UNAVAILABLE: e(0, 503, '503: Service Unavailable'),

  /** unknown entities */
  UNKNOWN_CHANNEL: e(10003, 404, 'Unknown Channel'),
  UNKNOWN_GUILD: e(10004, 404, 'Unknown Guild'),
  UNKNOWN_INVITE: e(10006, 404, 'Unknown Invite'),
  UNKNOWN_MEMBER: e(10007, 404, 'Unknown Member'),
  UNKNOWN_MESSAGE: e(10008, 404, 'Unknown Message'),
  UNKNOWN_OVERWRITE: e(10009, 404, 'Unknown Permission Overwrite'),
  UNKNOWN_ROLE: e(10011, 404, 'Unknown Role'),
  UNKNOWN_TOKEN: e(10012, 404, 'Unknown Token'),
  UNKNOWN_USER: e(10013, 404, 'Unknown User'),
  UNKNOWN_EMOJI: e(10014, 404, 'Unknown Emoji'),
  UNKNOWN_BAN: e(10026, 404, 'Unknown Ban'),
  UNKNOWN_ATTACHMENT: e(10029, 404, 'Unknown Attachment'),
  UNKNOWN_VOICE_STATE: e(10065, 404, 'Unknown Voice State'),
  UNKNOWN_APPLICATION: e(10002, 404, 'Unknown Application'),
  UNKNOWN_WEBHOOK: e(10015, 404, 'Unknown Webhook'),

  /** who may call */
  BOTS_FORBIDDEN: e(20001, 403, 'Bots cannot use this endpoint'),
  BOTS_ONLY: e(20002, 403, 'Only bots can use this endpoint'),
  SLOWMODE: e(20016, 429, 'This action cannot be performed due to slowmode rate limit'),

  /** limits */
  MAX_GUILDS: e(30001, 400, 'Maximum number of guilds reached (100)'),
  MAX_PINS: e(30003, 400, 'Maximum number of pins reached for the channel (50)'),
  MAX_ROLES: e(30005, 400, 'Maximum number of guild roles reached (250)'),
  MAX_REACTIONS: e(30010, 400, 'Maximum number of reactions reached (20)'),
  MAX_CHANNELS: e(30013, 400, 'Maximum number of guild channels reached (500)'),
  MAX_EMOJIS: e(30008, 400, 'Maximum number of emojis reached'),
  MAX_BOTS: e(30007, 400, 'Maximum number of bots reached (10)'),
  MAX_RECIPIENTS: e(30004, 400, 'Maximum number of group DM recipients reached (10)'),
  MAX_WEBHOOKS: e(30007, 400, 'Maximum number of webhooks reached (15)'),

  /** auth */
  UNAUTHORIZED: e(40001, 401, '401: Unauthorized'),
  ENTITY_TOO_LARGE: e(40005, 413, 'Request entity too large'),
  USERNAME_TAKEN: e(50035, 409, 'Invalid Form Body'),
  INVALID_LOGIN: e(50035, 400, 'Invalid Form Body'),
  BANNED: e(40007, 403, 'The user is banned from this guild.'),
  /** Retrocast: REGISTRATION=closed, or an account an instance admin disabled. */
  REGISTRATION_CLOSED: e(40008, 403, 'Registration is closed on this server'),
  ACCOUNT_DISABLED: e(40009, 403, 'This account is disabled'),

  /** permissions and actions */
  MISSING_ACCESS: e(50001, 403, 'Missing Access'),
  INVALID_ACCOUNT_TYPE: e(50002, 403, 'Invalid account type'),
  CANNOT_EDIT_OTHERS_MESSAGE: e(50005, 403, 'Cannot edit a message authored by another user'),
  EMPTY_MESSAGE: e(50006, 400, 'Cannot send an empty message'),
  NON_TEXT_CHANNEL: e(50008, 400, 'Cannot send messages in a non-text channel'),
  CANNOT_MESSAGE_USER: e(50007, 403, 'Cannot send messages to this user'),
  MISSING_PERMISSIONS: e(50013, 403, 'Missing Permissions'),
  BULK_DELETE_COUNT: e(
    50016,
    400,
    'Provided too few or too many messages to delete. Must provide at least 2 and fewer than 100 messages to delete.',
  ),
  PIN_WRONG_CHANNEL: e(50019, 400, 'A message can only be pinned to the channel it was sent in'),
  INVALID_CHANNEL_TYPE: e(50024, 400, 'Cannot execute action on this channel type'),
  INVALID_ROLE: e(50028, 400, 'Invalid Role'),
  BULK_DELETE_TOO_OLD: e(50034, 400, 'A message provided was too old to bulk delete'),
  INVALID_FORM_BODY: e(50035, 400, 'Invalid Form Body'),
  FILE_TOO_LARGE: e(50045, 413, 'File uploaded exceeds the maximum size'),
  INVALID_ASSET: e(50046, 400, 'Invalid Asset'),
  INVALID_WEBHOOK_TOKEN: e(50027, 401, 'Invalid Webhook Token'),
  INVALID_JSON: e(50109, 400, 'The request body contains invalid JSON.'),
  OWNER_CANNOT_LEAVE: e(50055, 400, 'Invalid Guild: the owner cannot leave; transfer ownership or delete the guild'),
  VOICE_UNAVAILABLE: e(50101, 503, 'Voice is not available on this server'),
  VOICE_CHANNEL_FULL: e(50013, 403, 'This voice channel is full'),
  TARGET_NOT_IN_VOICE: e(40032, 400, 'Target user is not connected to voice'),

  /** relationships */
  FRIEND_REQUESTS_DISABLED: e(80000, 400, 'Incoming friend requests disabled.'),
  BOTS_CANNOT_HAVE_FRIENDS: e(80002, 400, 'Bots cannot have friends.'),
  FRIEND_REQUEST_SELF: e(80003, 400, 'Cannot send friend request to self.'),
  NO_SUCH_USERNAME: e(80004, 400, 'No users with that username exist.'),
  ALREADY_FRIENDS: e(80007, 400, 'You are already friends with that user.'),
} as const satisfies Record<string, ErrorDef>;

export type ErrorName = keyof typeof Errors;

/** One field's problems in Discord's nested `errors` object. */
export interface FieldError {
  code: string;
  message: string;
}

/** Discord's error body. `errors` mirrors the request's shape: `{field: {_errors: [...]}}`. */
export interface ErrorBody {
  code: number;
  message: string;
  errors?: Record<string, unknown>;
}

export interface RateLimitBody {
  message: string;
  retry_after: number;
  global: boolean;
  code?: number;
}
