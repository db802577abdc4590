import { describe, expect, it } from 'vitest';
import {
  ALL_PERMISSIONS,
  computeBasePermissions,
  computeChannelPermissions,
  DEFAULT_EVERYONE_PERMISSIONS,
  hasPermission,
  Permissions as P,
  type PermissionContext,
  type PermissionOverwrite,
  parsePermissions,
} from './permissions.js';

const G = '100'; // guild id = @everyone role id
const OWNER = '1';
const ME = '2';
const MOD = '200';
const DJ = '201';
const MUTED = '202';
const ADMIN_ROLE = '203';

const V = P.VIEW_CHANNEL;
const S = P.SEND_MESSAGES;
const R = P.READ_MESSAGE_HISTORY;

interface Case {
  name: string;
  everyone?: bigint;
  roles?: Record<string, bigint>;
  mine?: string[];
  user?: string;
  overwrites?: PermissionOverwrite[];
  /** Expected channel permissions (exact), or guild-level when `base` is set. */
  expect: bigint;
  base?: boolean;
}

const role = (id: string, allow = 0n, deny = 0n): PermissionOverwrite => ({ id, type: 0, allow, deny });
const member = (id: string, allow = 0n, deny = 0n): PermissionOverwrite => ({ id, type: 1, allow, deny });

function context(c: Case): PermissionContext {
  const roles = [
    { id: G, permissions: c.everyone ?? V | S | R },
    ...Object.entries(c.roles ?? {}).map(([id, permissions]) => ({ id, permissions })),
  ];
  return { guildId: G, ownerId: OWNER, userId: c.user ?? ME, roles, memberRoleIds: c.mine ?? [] };
}

const cases: Case[] = [
  // Guild level (base permissions)
  { name: 'base: @everyone only', base: true, expect: V | S | R },
  { name: 'base: owner has all, even with empty @everyone', base: true, user: OWNER, everyone: 0n, expect: ALL_PERMISSIONS },
  {
    name: 'base: roles are OR-ed with @everyone',
    base: true,
    roles: { [MOD]: P.KICK_MEMBERS, [DJ]: P.CONNECT },
    mine: [MOD, DJ],
    expect: V | S | R | P.KICK_MEMBERS | P.CONNECT,
  },
  { name: 'base: roles the member lacks do not count', base: true, roles: { [MOD]: P.BAN_MEMBERS }, mine: [], expect: V | S | R },
  {
    name: 'base: ADMINISTRATOR on a role grants all',
    base: true,
    roles: { [ADMIN_ROLE]: P.ADMINISTRATOR },
    mine: [ADMIN_ROLE],
    expect: ALL_PERMISSIONS,
  },
  { name: 'base: ADMINISTRATOR on @everyone grants all', base: true, everyone: P.ADMINISTRATOR, expect: ALL_PERMISSIONS },
  { name: 'base: empty @everyone and no roles → nothing', base: true, everyone: 0n, expect: 0n },
  { name: 'base: unknown role id in member list is ignored', base: true, mine: ['999'], expect: V | S | R },
  { name: 'base: default @everyone permissions', base: true, everyone: DEFAULT_EVERYONE_PERMISSIONS, expect: DEFAULT_EVERYONE_PERMISSIONS },
  {
    name: 'base: voice permissions come from roles',
    base: true,
    roles: { [MOD]: P.MUTE_MEMBERS | P.DEAFEN_MEMBERS | P.MOVE_MEMBERS },
    mine: [MOD],
    expect: V | S | R | P.MUTE_MEMBERS | P.DEAFEN_MEMBERS | P.MOVE_MEMBERS,
  },

  // Channel level: no overwrites
  { name: 'channel: no overwrites = base', expect: V | S | R },
  {
    name: 'channel: owner ignores every deny',
    user: OWNER,
    overwrites: [role(G, 0n, V), member(OWNER, 0n, ALL_PERMISSIONS)],
    expect: ALL_PERMISSIONS,
  },
  {
    name: 'channel: admin ignores every deny',
    roles: { [ADMIN_ROLE]: P.ADMINISTRATOR },
    mine: [ADMIN_ROLE],
    overwrites: [role(G, 0n, V), member(ME, 0n, V)],
    expect: ALL_PERMISSIONS,
  },

  // @everyone overwrite
  { name: '@everyone overwrite denies SEND', overwrites: [role(G, 0n, S)], expect: V | R },
  { name: '@everyone overwrite allows ATTACH_FILES', overwrites: [role(G, P.ATTACH_FILES)], expect: V | S | R | P.ATTACH_FILES },
  { name: '@everyone overwrite denying VIEW hides the channel', overwrites: [role(G, 0n, V)], expect: 0n },
  { name: '@everyone overwrite: allow wins over its own deny for the same bit', overwrites: [role(G, S, S)], expect: V | S | R },

  // Role overwrites
  {
    name: 'role overwrite allows VIEW over @everyone deny',
    roles: { [MOD]: 0n },
    mine: [MOD],
    overwrites: [role(G, 0n, V), role(MOD, V)],
    expect: V | S | R,
  },
  { name: 'role overwrite denies SEND', roles: { [MUTED]: 0n }, mine: [MUTED], overwrites: [role(MUTED, 0n, S)], expect: V | R },
  {
    name: 'role overwrite for a role the member lacks is ignored',
    roles: { [MUTED]: 0n },
    mine: [],
    overwrites: [role(MUTED, 0n, S)],
    expect: V | S | R,
  },
  {
    name: 'two roles: allow of one beats deny of the other (allow applied after deny)',
    roles: { [MOD]: 0n, [MUTED]: 0n },
    mine: [MOD, MUTED],
    overwrites: [role(MUTED, 0n, S), role(MOD, S)],
    expect: V | S | R,
  },
  {
    name: 'two roles: denies are combined',
    roles: { [MOD]: 0n, [DJ]: 0n },
    mine: [MOD, DJ],
    overwrites: [role(MOD, 0n, S), role(DJ, 0n, R)],
    expect: V,
  },
  {
    name: 'two roles: allows are combined',
    roles: { [MOD]: 0n, [DJ]: 0n },
    mine: [MOD, DJ],
    overwrites: [role(MOD, P.MANAGE_MESSAGES), role(DJ, P.PRIORITY_SPEAKER)],
    expect: V | S | R | P.MANAGE_MESSAGES | P.PRIORITY_SPEAKER,
  },
  {
    name: 'role overwrite beats @everyone overwrite (deny then allow)',
    roles: { [MOD]: 0n },
    mine: [MOD],
    overwrites: [role(G, 0n, S), role(MOD, S)],
    expect: V | S | R,
  },
  {
    name: 'role deny beats @everyone allow',
    roles: { [MUTED]: 0n },
    mine: [MUTED],
    overwrites: [role(G, P.ATTACH_FILES), role(MUTED, 0n, P.ATTACH_FILES)],
    expect: V | S | R,
  },
  {
    name: 'role overwrite denies a base permission from a role',
    roles: { [MOD]: P.MANAGE_MESSAGES },
    mine: [MOD],
    overwrites: [role(MOD, 0n, P.MANAGE_MESSAGES)],
    expect: V | S | R,
  },
  {
    name: 'role overwrite denying VIEW hides the channel',
    roles: { [MUTED]: 0n },
    mine: [MUTED],
    overwrites: [role(MUTED, 0n, V)],
    expect: 0n,
  },

  // Member overwrites
  {
    name: 'member overwrite allows over role deny',
    roles: { [MUTED]: 0n },
    mine: [MUTED],
    overwrites: [role(MUTED, 0n, S), member(ME, S)],
    expect: V | S | R,
  },
  {
    name: 'member overwrite denies over role allow',
    roles: { [MOD]: 0n },
    mine: [MOD],
    overwrites: [role(MOD, P.MANAGE_MESSAGES), member(ME, 0n, P.MANAGE_MESSAGES)],
    expect: V | S | R,
  },
  { name: 'member overwrite allows VIEW over @everyone deny', overwrites: [role(G, 0n, V), member(ME, V)], expect: V | S | R },
  {
    name: 'member overwrite denying VIEW hides despite role allow',
    roles: { [MOD]: 0n },
    mine: [MOD],
    overwrites: [role(MOD, V), member(ME, 0n, V)],
    expect: 0n,
  },
  { name: 'member overwrite for another user is ignored', overwrites: [member('3', 0n, V)], expect: V | S | R },
  {
    name: 'member overwrite is applied last (full chain)',
    roles: { [MOD]: 0n },
    mine: [MOD],
    overwrites: [role(G, 0n, V | S), role(MOD, V, R), member(ME, S | R)],
    expect: V | S | R,
  },
  { name: 'role overwrite keyed by a member id does not apply as member', overwrites: [role(ME, 0n, S)], expect: V | S | R },

  // VIEW_CHANNEL and SEND_MESSAGES implications
  { name: 'no VIEW in base means nothing in the channel', everyone: S | R | P.CONNECT, expect: 0n },
  { name: 'no VIEW: even an ATTACH allow yields nothing', overwrites: [role(G, P.ATTACH_FILES, V)], expect: 0n },
  {
    name: 'no SEND drops ATTACH/EMBED/TTS/MENTION_EVERYONE',
    everyone: V | R | P.ATTACH_FILES | P.EMBED_LINKS | P.SEND_TTS_MESSAGES | P.MENTION_EVERYONE,
    expect: V | R,
  },
  { name: 'SEND denied by overwrite also drops EMBED_LINKS', everyone: V | S | P.EMBED_LINKS, overwrites: [role(G, 0n, S)], expect: V },
  { name: 'no SEND keeps ADD_REACTIONS and READ_MESSAGE_HISTORY', everyone: V | R | P.ADD_REACTIONS, expect: V | R | P.ADD_REACTIONS },

  // Voice
  {
    name: 'voice: @everyone overwrite denies CONNECT',
    everyone: V | P.CONNECT | P.SPEAK,
    overwrites: [role(G, 0n, P.CONNECT)],
    expect: V | P.SPEAK,
  },
  {
    name: 'voice: DJ role allowed SPEAK and PRIORITY_SPEAKER',
    everyone: V | P.CONNECT,
    roles: { [DJ]: 0n },
    mine: [DJ],
    overwrites: [role(DJ, P.SPEAK | P.PRIORITY_SPEAKER)],
    expect: V | P.CONNECT | P.SPEAK | P.PRIORITY_SPEAKER,
  },
  {
    name: 'voice: moderator keeps MUTE/DEAFEN/MOVE from base',
    everyone: V | P.CONNECT,
    roles: { [MOD]: P.MUTE_MEMBERS | P.DEAFEN_MEMBERS | P.MOVE_MEMBERS },
    mine: [MOD],
    expect: V | P.CONNECT | P.MUTE_MEMBERS | P.DEAFEN_MEMBERS | P.MOVE_MEMBERS,
  },
  {
    name: 'voice: member overwrite denies SPEAK',
    everyone: V | P.CONNECT | P.SPEAK | P.USE_VAD,
    overwrites: [member(ME, 0n, P.SPEAK)],
    expect: V | P.CONNECT | P.USE_VAD,
  },
  { name: 'voice: hidden voice channel gives no CONNECT', everyone: V | P.CONNECT | P.SPEAK, overwrites: [role(G, 0n, V)], expect: 0n },
];

describe('computeBasePermissions / computeChannelPermissions', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));
  it.each(cases)('$name', (c) => {
    const ctx = context(c);
    const got = c.base ? computeBasePermissions(ctx) : computeChannelPermissions(ctx, c.overwrites ?? []);
    expect(got.toString(2)).toBe(c.expect.toString(2));
  });
});

describe('helpers', () => {
  it('hasPermission needs every bit', () => {
    expect(hasPermission(V | S, V)).toBe(true);
    expect(hasPermission(V, V | S)).toBe(false);
  });
  it('parsePermissions masks unknown bits and rejects negatives', () => {
    expect(parsePermissions('1024')).toBe(V);
    expect(parsePermissions((1n << 60n).toString())).toBe(0n);
    expect(() => parsePermissions('-1')).toThrow(RangeError);
  });
});
