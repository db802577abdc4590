import type { Static, TSchema } from 'typebox';
import * as calls from './calls.js';
import * as channels from './channels.js';
import * as guilds from './guilds.js';
import * as messages from './messages.js';
import * as presence from './presence.js';
import * as relationships from './relationships.js';
import * as session from './session.js';

export * from './calls.js';
export * from './channels.js';
export * from './dispatch.js';
export * from './guilds.js';
export * from './messages.js';
export * from './presence.js';
export * from './relationships.js';
export * from './session.js';

/** `FooBarEvent` → `FOO_BAR`. */
const eventName = (exportName: string) =>
  exportName
    .replace(/Event$/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();

const all: Record<string, unknown> = { ...calls, ...session, ...guilds, ...channels, ...messages, ...presence, ...relationships };

/**
 * Every dispatch the server can send, by name → its one schema. Tests validate each captured
 * dispatch against it; an event not listed here is a bug.
 */
export const DispatchEvents: Record<string, TSchema> = Object.fromEntries(
  Object.entries(all)
    .filter(([k]) => k.endsWith('Event'))
    .map(([k, v]) => [eventName(k), v as TSchema]),
);

/** Register a dispatch schema owned by another module (e.g. voice adds VOICE_STATE_UPDATE). */
export function registerDispatchEvent(name: string, schema: TSchema): void {
  DispatchEvents[name] = schema;
}

export type ReadyDispatch = Static<typeof session.ReadyEvent>;
export type GuildCreateDispatch = Static<typeof guilds.GuildCreateEvent>;
export type TypingStartDispatch = Static<typeof presence.TypingStartEvent>;
export type PresenceUpdateDispatch = Static<typeof presence.PresenceUpdateEvent>;
