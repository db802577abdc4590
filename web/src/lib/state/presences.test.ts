import { describe, expect, it } from 'vitest';
import type { Dispatch } from '../gateway/socket';
import { emptyGuilds, type GuildsState, reduceGuilds } from './guilds';
import { type PresencesState, reducePresences } from './presences';

const member = (id: string) => ({ user: { id, username: `u${id}` }, nick: null, roles: [], joined_at: '' });
const guild = (id: string, memberIds: string[]) => ({ id, name: `g${id}`, roles: [], channels: [], members: memberIds.map(member) });
const presence = (id: string, status: string, guild_id?: string) => ({ user: { id }, guild_id, status, activities: [], client_status: {} });

/** Applies events to both trees as the session does: guilds first, presences with the new guild tree. */
function run(events: Dispatch[], start: { guilds: GuildsState; presences: PresencesState } = { guilds: emptyGuilds, presences: {} }) {
  let { guilds, presences } = start;
  for (const ev of events) {
    guilds = reduceGuilds(guilds, ev);
    presences = reducePresences(presences, ev, guilds);
  }
  return { guilds, presences };
}

describe('reducePresences', () => {
  it('keeps only present users: offline entries are dropped, not stored', () => {
    const { presences } = run([
      { t: 'READY', d: { guilds: [{ id: '10', unavailable: true }] } },
      { t: 'GUILD_CREATE', d: { ...guild('10', ['1', '2', '3']), presences: [presence('1', 'online'), presence('2', 'offline')] } },
      { t: 'PRESENCE_UPDATE', d: presence('3', 'idle', '10') },
      { t: 'PRESENCE_UPDATE', d: presence('1', 'offline', '10') },
      { t: 'PRESENCE_UPDATE', d: presence('4', 'offline', '10') },
    ]);
    expect(presences).toEqual({ '3': 'idle' });
  });

  it('forgets users one no longer shares a guild with', () => {
    let s = run([
      {
        t: 'GUILD_CREATE',
        d: { ...guild('10', ['1', '2', '3']), presences: [presence('1', 'online'), presence('2', 'dnd'), presence('3', 'idle')] },
      },
      { t: 'GUILD_CREATE', d: { ...guild('20', ['1', '3']), presences: [presence('1', 'online'), presence('3', 'idle')] } },
    ]);
    s = run([{ t: 'GUILD_MEMBER_REMOVE', d: { guild_id: '10', user: { id: '3' } } }], s);
    expect(s.presences).toEqual({ '1': 'online', '2': 'dnd', '3': 'idle' }); // still shares guild 20
    s = run([{ t: 'GUILD_MEMBER_REMOVE', d: { guild_id: '10', user: { id: '2' } } }], s);
    expect(s.presences).toEqual({ '1': 'online', '3': 'idle' });
    s = run([{ t: 'GUILD_DELETE', d: { id: '20', unavailable: true } }], s);
    expect(s.presences).toEqual({ '1': 'online', '3': 'idle' }); // an outage is not a leave
    s = run([{ t: 'GUILD_DELETE', d: { id: '10' } }], s);
    expect(s.presences).toEqual({ '1': 'online', '3': 'idle' });
    s = run([{ t: 'GUILD_DELETE', d: { id: '20' } }], s);
    expect(s.presences).toEqual({});
  });
});
