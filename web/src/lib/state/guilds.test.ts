import { describe, expect, it } from 'vitest';
import { emptyGuilds, reduceGuilds } from './guilds';

const guild = (id: string, extra = {}) => ({
  id,
  name: `g${id}`,
  icon: null,
  owner_id: '1',
  roles: [{ id, name: '@everyone', color: 0, hoist: false, position: 0, permissions: '1024', managed: false, mentionable: false }],
  channels: [],
  members: [],
  ...extra,
});
const chan = (id: string, position: number, extra = {}) => ({
  id,
  type: 0,
  guild_id: '10',
  name: `c${id}`,
  position,
  parent_id: null,
  permission_overwrites: [],
  ...extra,
});

describe('reduceGuilds', () => {
  it('keeps READY order and fills guilds as GUILD_CREATE arrives', () => {
    let s = reduceGuilds(emptyGuilds, {
      t: 'READY',
      d: {
        guilds: [
          { id: '10', unavailable: true },
          { id: '20', unavailable: true },
        ],
      },
    });
    expect(s.order).toEqual(['10', '20']);
    expect(s.byId['10']).toBeUndefined();
    s = reduceGuilds(s, { t: 'GUILD_CREATE', d: guild('20') });
    s = reduceGuilds(s, { t: 'GUILD_CREATE', d: guild('30') });
    expect(s.order).toEqual(['10', '20', '30']);
    expect(s.byId['20'].name).toBe('g20');
  });

  it('sorts channels by position and applies create, update and delete', () => {
    let s = reduceGuilds(emptyGuilds, { t: 'GUILD_CREATE', d: guild('10', { channels: [chan('2', 1), chan('1', 0)] }) });
    expect(s.byId['10'].channels.map((c) => c.id)).toEqual(['1', '2']);
    s = reduceGuilds(s, { t: 'CHANNEL_CREATE', d: chan('3', 0) });
    s = reduceGuilds(s, { t: 'CHANNEL_UPDATE', d: chan('1', 5, { name: 'renamed' }) });
    s = reduceGuilds(s, { t: 'CHANNEL_DELETE', d: chan('2', 1) });
    expect(s.byId['10'].channels.map((c) => [c.id, c.name])).toEqual([
      ['3', 'c3'],
      ['1', 'renamed'],
    ]);
  });

  it('tracks last_message_id from MESSAGE_CREATE, never going backwards', () => {
    let s = reduceGuilds(emptyGuilds, { t: 'GUILD_CREATE', d: guild('10', { channels: [chan('1', 0, { last_message_id: '100' })] }) });
    s = reduceGuilds(s, { t: 'MESSAGE_CREATE', d: { id: '99', channel_id: '1', guild_id: '10' } });
    expect(s.byId['10'].channels[0].last_message_id).toBe('100');
    s = reduceGuilds(s, { t: 'MESSAGE_CREATE', d: { id: '1000', channel_id: '1', guild_id: '10' } });
    expect(s.byId['10'].channels[0].last_message_id).toBe('1000');
  });

  it('removes a deleted role from members and forgets a left guild', () => {
    const member = { user: { id: '5', username: 'bob' }, nick: null, roles: ['77'], joined_at: '' };
    let s = reduceGuilds(emptyGuilds, { t: 'GUILD_CREATE', d: guild('10', { members: [member] }) });
    s = reduceGuilds(s, {
      t: 'GUILD_ROLE_CREATE',
      d: {
        guild_id: '10',
        role: { id: '77', name: 'mods', color: 0, hoist: true, position: 1, permissions: '0', managed: false, mentionable: false },
      },
    });
    s = reduceGuilds(s, { t: 'GUILD_ROLE_DELETE', d: { guild_id: '10', role_id: '77' } });
    expect(s.byId['10'].members['5'].roles).toEqual([]);
    s = reduceGuilds(s, { t: 'GUILD_DELETE', d: { id: '10' } });
    expect(s).toEqual({ order: [], byId: {} });
  });

  it('applies USER_UPDATE to member entries without its private fields', () => {
    const member = { user: { id: '5', username: 'bob', global_name: null, avatar: null }, nick: null, roles: [], joined_at: '' };
    let s = reduceGuilds(emptyGuilds, { t: 'GUILD_CREATE', d: guild('10', { members: [member] }) });
    s = reduceGuilds(s, {
      t: 'USER_UPDATE',
      d: {
        id: '5',
        username: 'bobby',
        global_name: 'Bob',
        avatar: 'abc',
        locale: 'fr',
        flags: 4,
        mfa_enabled: false,
        verified: true,
        email: 'b@x',
      },
    });
    expect(s.byId['10'].members['5'].user).toEqual({ id: '5', username: 'bobby', global_name: 'Bob', avatar: 'abc' });
  });

  it('a large guild: member_count follows joins and leaves; chunks and updates add members it did not hold', () => {
    const m = (id: string, extra = {}) => ({ user: { id, username: `u${id}` }, nick: null, roles: [], joined_at: '', ...extra });
    let s = reduceGuilds(emptyGuilds, { t: 'GUILD_CREATE', d: guild('10', { large: true, member_count: 60, members: [m('1')] }) });
    s = reduceGuilds(s, { t: 'GUILD_MEMBER_ADD', d: { ...m('2'), guild_id: '10' } });
    expect(s.byId['10'].member_count).toBe(61);
    s = reduceGuilds(s, { t: 'GUILD_MEMBER_REMOVE', d: { guild_id: '10', user: { id: '40', username: 'x' } } });
    expect(s.byId['10'].member_count).toBe(60);
    s = reduceGuilds(s, { t: 'GUILD_MEMBERS_CHUNK', d: { guild_id: '10', members: [m('3'), m('4')], chunk_index: 0, chunk_count: 1 } });
    s = reduceGuilds(s, { t: 'GUILD_MEMBER_UPDATE', d: { ...m('5', { nick: 'Five' }), guild_id: '10' } });
    expect(Object.keys(s.byId['10'].members).sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(s.byId['10'].members['5'].nick).toBe('Five');
    expect(s.byId['10'].member_count).toBe(60);
  });
});
