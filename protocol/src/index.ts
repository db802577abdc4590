export * from './snowflake.js';
export * from './permissions.js';
export * from './errors.js';
export * from './rest/common.js';
export * from './rest/users.js';
export * from './rest/messages.js';
