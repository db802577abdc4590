export * from './events/index.js';
/** Shapes inside dispatches, namespaced so they never clash with the REST schemas' names. */
export * as GatewayObjects from './objects.js';
export * from './opcodes.js';
