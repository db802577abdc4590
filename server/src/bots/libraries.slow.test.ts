import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayCloseCodes } from '@retrocast/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../gateway/gateway.js';
import { connectUser } from '../test/gateway.js';
import { createGuild, join as joinGuild, type TestGuild } from '../test/guild-fixtures.js';
import { api, registerUser, startServer, type TestServer, type TestUser } from '../test/helper.js';

/**
 * Real discord.py 2.x and discord.js 14 bots (e2e/bots/), changed only in their base URL, against
 * a real server: log in, see the guild, answer "!ping" with a reply carrying an embed, react, edit,
 * fetch history, delete; receive a reaction and a member join; RESUME after the server closes their
 * socket; exit cleanly on "!quit". discord.py comes from the venv .ci/run makes (RETROCAST_BOTS_PYTHON
 * or ~/.cache/retrocast/venv-bots); discord.js is a dev dependency of e2e/.
 */
const BOTS_DIR = fileURLToPath(new URL('../../../e2e/bots/', import.meta.url));
const PYTHON = process.env.RETROCAST_BOTS_PYTHON ?? join(homedir(), '.cache/retrocast/venv-bots/bin/python');

interface Line {
  event: string;
  [k: string]: any;
}

/** A bot child process whose stdout is one JSON object per line. */
class BotProcess {
  readonly lines: Line[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: Array<() => void> = [];

  constructor(readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const text = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (text.startsWith('{')) this.lines.push(JSON.parse(text));
        nl = buf.indexOf('\n');
      }
      for (const w of this.waiters.splice(0)) w();
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first line (after `from`) of this event matching `pred`. */
  async wait(event: string, pred: (l: Line) => boolean = () => true, timeoutMs = 60_000, from = 0): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find((l) => l.event === event && pred(l));
      if (hit) return hit;
      const errors = this.lines.filter((l) => l.event === 'error');
      if (errors.length) throw new Error(`bot error: ${errors.map((e) => e.message).join('\n')}`);
      if (this.proc.exitCode !== null) throw new Error(`bot exited (${this.proc.exitCode}) waiting for ${event}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${event}; got ${JSON.stringify(this.lines)}\n${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 500);
      });
    }
  }
}

const only = process.env.RETROCAST_BOTS_ONLY;
const libraries = [
  {
    name: 'discord.py',
    available: () => existsSync(PYTHON),
    start: (server: TestServer, token: string) =>
      spawn(PYTHON, [join(BOTS_DIR, 'py_bot.py')], {
        env: {
          ...process.env,
          RC_API: `${server.url}/api/v10`,
          RC_GATEWAY: `${server.url.replace('http', 'ws')}/gateway`,
          RC_TOKEN: token,
        },
      }),
  },
  {
    name: 'discord.js',
    available: () => true,
    start: (server: TestServer, token: string) =>
      spawn(process.execPath, [join(BOTS_DIR, 'js_bot.mjs')], { env: { ...process.env, RC_API: `${server.url}/api`, RC_TOKEN: token } }),
  },
];

for (const lib of libraries.filter((l) => !only || l.name === only)) {
  describe(`${lib.name} bot, unmodified but for its base URL`, () => {
    let server: TestServer;
    let owner: TestUser;
    let guild: TestGuild;
    let botId: string;
    let bot: BotProcess;

    beforeAll(async () => {
      if (!lib.available()) throw new Error(`${lib.name} is not installed (${PYTHON}); .ci/run makes the venv`);
      server = await startServer();
      owner = await registerUser(server);
      guild = await createGuild(server, owner, `${lib.name} test`);
      const created = await api(server, 'POST', '/users/@me/bots', {
        token: owner.token,
        body: { username: `bot_${Date.now().toString(36)}` },
      });
      expect(created.status).toBe(201);
      botId = created.body.user.id;
      // Added the Discord way: OAuth2 authorize with the permissions the bot asks for.
      const perms = (1n << 10n) | (1n << 11n) | (1n << 13n) | (1n << 16n) | (1n << 6n); // view, send, manage messages, history, reactions
      const added = await api(server, 'POST', `/oauth2/authorize?client_id=${botId}&scope=bot`, {
        token: owner.token,
        body: { guild_id: guild.id, permissions: perms.toString(), authorize: true },
      });
      expect(added.status, JSON.stringify(added.body)).toBe(200);
      bot = new BotProcess(lib.start(server, created.body.token));
    });

    afterAll(async () => {
      if (bot && bot.proc.exitCode === null) bot.proc.kill('SIGKILL');
      await server?.close();
    });

    it('logs in and sees its guild', async () => {
      const ready = await bot.wait('ready');
      expect(ready.user).toBe(botId);
      expect(ready.application_id).toBe(botId);
      expect(ready.guilds).toEqual([expect.objectContaining({ id: guild.id, name: `${lib.name} test` })]);
      expect(ready.guilds[0].channels).toBeGreaterThan(0);
    });

    it('shows its activity: "Playing dice" from login in GUILD_CREATE, then "Listening to lofi" from a presence change', async () => {
      const watcher = await connectUser(server, owner);
      try {
        const gc = watcher.dispatches('GUILD_CREATE').find((f) => f.d.id === guild.id);
        const mine = gc?.d.presences.find((p: { user: { id: string } }) => p.user.id === botId);
        expect(mine?.activities).toEqual([expect.objectContaining({ name: 'dice', type: 0 })]);
        const from = watcher.frames.length;
        await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: '!status' } });
        await bot.wait('status_done');
        const up = await watcher.waitFor(
          (f) => f.t === 'PRESENCE_UPDATE' && f.d.user.id === botId && f.d.activities[0]?.name === 'lofi',
          60_000,
          from,
        );
        expect(up.d).toMatchObject({ status: 'idle', activities: [expect.objectContaining({ name: 'lofi', type: 2 })] });
        expect(watcher.schemaErrors).toEqual([]);
      } finally {
        watcher.close(1000);
      }
    });

    it('answers a command with an embed reply, reacts, edits, fetches history and deletes', async () => {
      const cmd = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: '!ping' } });
      expect(cmd.status).toBe(200);
      const done = await bot.wait('ping_done');
      expect(done.reference).toBe(cmd.body.id);
      expect(done.embed_title).toBe('Pong');
      expect(done.embed_fields).toBe(1);
      expect(done.edited).toBe('pong (edited)');
      expect(done.reactions).toEqual(['👍']);
      expect(done.history).toEqual(expect.arrayContaining([cmd.body.id, done.reply]));
      await bot.wait('deleted');
      const gone = await api(server, 'GET', `/channels/${guild.generalId}/messages/${done.reply}`, { token: owner.token });
      expect(gone.status).toBe(404);
      // The reply as stored: a reply (type 19) with the rich embed.
      const history = await api(server, 'GET', `/channels/${guild.generalId}/messages?limit=5`, { token: owner.token });
      expect(history.body.map((m: { id: string }) => m.id)).not.toContain(done.reply);
    });

    it('receives a reaction event', async () => {
      const msg = await api(server, 'POST', `/channels/${guild.generalId}/messages`, {
        token: owner.token,
        body: { content: 'react here' },
      });
      const r = await api(server, 'PUT', `/channels/${guild.generalId}/messages/${msg.body.id}/reactions/${encodeURIComponent('🎲')}/@me`, {
        token: owner.token,
      });
      expect(r.status).toBe(204);
      const ev = await bot.wait('reaction_add', (l) => l.message === msg.body.id);
      expect(ev).toMatchObject({ user: owner.id, emoji: '🎲', burst: false, type: 0 });
    });

    it('receives a member join', async () => {
      const newcomer = await registerUser(server);
      await joinGuild(server, guild, newcomer);
      const ev = await bot.wait('member_join', (l) => l.user === newcomer.id);
      expect(ev.guild).toBe(guild.id);
    });

    it('survives a forced reconnect (RESUME) and keeps answering', async () => {
      const gw = (server.app as unknown as { gateway: Gateway }).gateway;
      const conns = [...gw.connections].filter((c) => c.session?.userId === botId);
      expect(conns).toHaveLength(1);
      const before = bot.lines.length;
      conns[0].close(GatewayCloseCodes.UNKNOWN_ERROR, 'Test closes the socket.');
      await bot.wait('resumed', () => true, 60_000, before);
      const cmd = await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: '!ping' } });
      const done = await bot.wait('ping_done', (l) => l.reference === cmd.body.id, 60_000, before);
      expect(done.embed_title).toBe('Pong');
    });

    it('exits cleanly', async () => {
      await api(server, 'POST', `/channels/${guild.generalId}/messages`, { token: owner.token, body: { content: '!quit' } });
      await bot.wait('exited');
      expect(await bot.exited).toBe(0);
      // Nothing it did left an error behind on its side.
      expect(bot.stderr).not.toMatch(/Traceback|Error:/);
    });
  });
}
