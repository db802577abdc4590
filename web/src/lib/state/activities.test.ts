import { describe, expect, it } from 'vitest';
import { activityText, reduceActivities } from './activities';

const p = (id: string, status: string, activities: unknown[] = []) => ({ user: { id }, status, activities, client_status: {} });
const dice = { name: 'dice', type: 0 };

describe('reduceActivities', () => {
  it('takes activities from READY, GUILD_CREATE and PRESENCE_UPDATE; offline or none forgets them', () => {
    let s = reduceActivities({}, { t: 'READY', d: { presences: [p('1', 'online', [dice])], guilds: [] } });
    s = reduceActivities(s, {
      t: 'GUILD_CREATE',
      d: { id: '9', presences: [p('2', 'idle', [{ name: 'lofi', type: 2 }]), p('3', 'online')] },
    });
    expect(Object.keys(s).sort()).toEqual(['1', '2']);
    s = reduceActivities(s, { t: 'PRESENCE_UPDATE', d: p('1', 'offline', [dice]) });
    s = reduceActivities(s, { t: 'PRESENCE_UPDATE', d: p('2', 'online') });
    s = reduceActivities(s, { t: 'PRESENCE_UPDATE', d: p('3', 'dnd', [{ name: 'Custom Status', type: 4, state: 'brb' }]) });
    expect(s).toEqual({ '3': [{ name: 'Custom Status', type: 4, state: 'brb' }] });
  });

  it('words each type as Discord does, preferring a game over a custom status', () => {
    expect(activityText([dice])).toBe('Playing dice');
    expect(activityText([{ name: 'lofi', type: 2 }])).toBe('Listening to lofi');
    expect(activityText([{ name: 'a film', type: 3 }])).toBe('Watching a film');
    expect(activityText([{ name: 'x', type: 5 }])).toBe('Competing in x');
    expect(activityText([{ name: 'Custom Status', type: 4, state: 'brb' }])).toBe('brb');
    expect(activityText([{ name: 'Custom Status', type: 4, state: 'brb' }, dice])).toBe('Playing dice');
    expect(activityText([])).toBeNull();
  });
});
