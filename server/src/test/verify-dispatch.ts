import { expect } from 'vitest';
// The web client's own pure reducers: the gateway must keep *them* in sync, not a copy.
import { emptyGuilds, reduceGuilds } from '../../../web/src/lib/state/guilds';
import { emptyNotificationSettings, reduceNotificationSettings } from '../../../web/src/lib/state/notification-settings';
import { reducePresences } from '../../../web/src/lib/state/presences';
import { reducePrivateChannels } from '../../../web/src/lib/state/private-channels';
import { emptyReadStates, reduceReadStates } from '../../../web/src/lib/state/read-states';
import { reduceRelationships } from '../../../web/src/lib/state/relationships';
import { connectUser, type Frame, type GatewayClient, quiet } from './gateway.js';
import type { TestServer, TestUser } from './helper.js';

/** Event names proven by verifyDispatch in this test run (for the meta-test). */
export const verifiedEvents = new Set<string>();

interface ClientState {
  guilds: ReturnType<typeof reduceGuilds>;
  presences: ReturnType<typeof reducePresences>;
  readStates: ReturnType<typeof reduceReadStates>;
  notificationSettings: ReturnType<typeof reduceNotificationSettings>;
  relationships: ReturnType<typeof reduceRelationships>;
  privateChannels: ReturnType<typeof reducePrivateChannels>;
}

function apply(s: ClientState, f: Frame): ClientState {
  const ev = { t: f.t as string, d: f.d };
  const guilds = reduceGuilds(s.guilds, ev);
  return {
    guilds,
    presences: reducePresences(s.presences, ev, guilds),
    readStates: reduceReadStates(s.readStates, ev),
    notificationSettings: reduceNotificationSettings(s.notificationSettings, ev),
    relationships: reduceRelationships(s.relationships, ev),
    privateChannels: reducePrivateChannels(s.privateChannels, ev),
  };
}

const initial: ClientState = {
  guilds: emptyGuilds,
  presences: {},
  readStates: emptyReadStates,
  notificationSettings: emptyNotificationSettings,
  relationships: {},
  privateChannels: {},
};
const stateOf = (frames: Frame[]) => frames.filter((f) => f.op === 0).reduce(apply, initial);

/**
 * Zulip's verify_action for the gateway: take the user's READY state, run `action`, capture the
 * dispatches (which must include `expected`, each valid against its protocol schema), apply them
 * with the web client's reducers, then IDENTIFY afresh and require the same state. Proves the
 * events are enough for a client to stay in sync.
 */
export async function verifyDispatch(
  server: TestServer,
  user: TestUser,
  action: () => Promise<unknown>,
  expected: string[],
  client?: GatewayClient,
) {
  const c = client ?? (await connectUser(server, user));
  await quiet(100);
  const before = stateOf(c.frames);
  const from = c.frames.length;
  await action();
  for (const t of expected) await c.waitFor((f) => f.t === t, 10_000, from);
  await quiet(250);
  const events = c.frames.slice(from).filter((f) => f.op === 0);
  expect(c.schemaErrors).toEqual([]);
  const after = events.reduce(apply, before);
  const fresh = await connectUser(server, user);
  await quiet(100);
  expect(normalize(after)).toEqual(normalize(stateOf(fresh.frames)));
  for (const t of expected) verifiedEvents.add(t);
  fresh.close(1000);
  if (!client) c.close(1000);
  return events;
}

/**
 * Fields a client cannot derive from events and does not need to: GUILD_CREATE-only extras
 * (counts, joined_at, large, voice states) are compared as they were in the snapshot.
 */
function normalize(s: ClientState) {
  const guilds = Object.fromEntries(
    Object.entries(s.guilds.byId).map(([id, g]) => {
      // TODO(#3): GUILD_UPDATE's payload carries `guild_id`, which Discord's guild object does not.
      const { member_count: _c, joined_at: _j, large: _l, voice_states: _v, guild_id: _g, ...rest } = g as Record<string, unknown>;
      return [id, rest];
    }),
  );
  // One's own status is not echoed by events (as on Discord), so it is left out on both sides.
  const presences = Object.fromEntries(Object.entries(s.presences).filter(([id]) => id !== s.readStates.me));
  return {
    order: [...s.guilds.order].sort(),
    guilds,
    presences,
    readStates: s.readStates.byChannel,
    notificationSettings: s.notificationSettings.byGuild,
    relationships: s.relationships,
    privateChannels: s.privateChannels,
  };
}
