import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, type TestUser, api, registerUser, startServer } from '../test/helper.js';

let server: TestServer;
let owner: TestUser;
let guest: TestUser;
let guildId: string;
let generalId: string;

beforeAll(async () => {
  server = await startServer();
  [owner, guest] = await Promise.all([registerUser(server), registerUser(server)]);
  const g = await api(server, 'POST', '/guilds', { token: owner.token, body: { name: 'Invites' } });
  guildId = g.body.id;
  generalId = g.body.channels.find((c: { type: number; name: string }) => c.type === 0 && c.name === 'general').id;
});
afterAll(() => server?.close());

describe('invites', () => {
  it('create → preview → accept joins the guild', async () => {
    const inv = await api(server, 'POST', `/channels/${generalId}/invites`, { token: owner.token, body: { max_age: 3600, max_uses: 5, unique: true } });
    expect(inv.status).toBe(200);
    expect(inv.body.code).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(inv.body).toMatchObject({ guild: { id: guildId }, channel: { id: generalId }, max_uses: 5, max_age: 3600, uses: 0, inviter: { id: owner.id } });
    const preview = await api(server, 'GET', `/invites/${inv.body.code}?with_counts=true`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ code: inv.body.code, guild: { id: guildId, name: 'Invites' }, approximate_member_count: 1 });
    const accept = await api(server, 'POST', `/invites/${inv.body.code}`, { token: guest.token });
    expect(accept.status).toBe(200);
    expect(accept.body.guild.id).toBe(guildId);
    const members = await api(server, 'GET', `/guilds/${guildId}/members?limit=10`, { token: guest.token });
    expect(members.body.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([owner.id, guest.id].sort());
    const again = await api(server, 'POST', `/invites/${inv.body.code}`, { token: guest.token });
    expect(again.status).toBe(200);
    const after = await api(server, 'GET', `/invites/${inv.body.code}`);
    expect(after.body.uses).toBe(1);
  });
});
