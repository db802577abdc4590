import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTokens } from '../db/schema.js';
import { quiet } from '../test/gateway.js';
import { api, startServer, type TestServer, type TestUser } from '../test/helper.js';
import { addMember, createGuild, type TestGuild } from '../test/messages-fixtures.js';
import { ApnsSender, JWT_MAX_AGE_MS } from './apns.js';

const TEAM = 'TEAM123456';
const KID = 'KEY1234567';
const TOPIC = 'app.retrocast.ios';

interface Received {
  token: string;
  headers: http2.IncomingHttpHeaders;
  body: any;
  jwt: string;
}

/** APNs for tests: HTTP/2 over TLS on loopback (self-signed cert made here), verifying what Apple verifies. */
class LocalApns {
  received: Received[] = [];
  errors: string[] = [];
  /** Queued answers for the next requests: [status, reason]. Default 200. */
  answers: Array<[number, string?]> = [];
  private constructor(
    private readonly server: http2.Http2SecureServer,
    readonly origin: string,
  ) {}

  static async start(dir: string, publicKey: KeyObject) {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
      ],
      { stdio: 'ignore' },
    );
    let self: LocalApns | undefined;
    const server = http2.createSecureServer({ key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) });
    server.on('stream', (stream, headers) => {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        text += c;
      });
      stream.on('end', () => void self?.handle(stream, headers, text, publicKey));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new LocalApns(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  private async handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, text: string, publicKey: KeyObject) {
    const answer = (status: number, reason?: string) => {
      stream.respond({ ':status': status, 'content-type': 'application/json' });
      stream.end(reason ? JSON.stringify({ reason }) : '');
    };
    try {
      const token = String(headers[':path']).replace('/3/device/', '');
      const jwt = String(headers.authorization).replace(/^bearer /, '');
      const header = decodeProtectedHeader(jwt);
      if (header.alg !== 'ES256' || header.kid !== KID) throw new Error(`header ${JSON.stringify(header)}`);
      const { payload } = await jwtVerify(jwt, publicKey, { issuer: TEAM, algorithms: ['ES256'] });
      if (typeof payload.iat !== 'number') throw new Error('no iat');
      if (headers['apns-topic'] !== TOPIC) throw new Error(`topic ${headers['apns-topic']}`);
      if (headers['apns-push-type'] !== 'alert') throw new Error(`push type ${headers['apns-push-type']}`);
      const body = JSON.parse(text);
      if (!body.aps?.alert?.title || !body.aps['thread-id']) throw new Error(`payload ${text}`);
      this.received.push({ token, headers, body, jwt });
      const [status, reason] = this.answers.shift() ?? [200];
      answer(status, reason);
    } catch (err) {
      this.errors.push(String(err));
      answer(403, 'InvalidProviderToken');
    }
  }

  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

let dir: string;
let apns: LocalApns;
let keyFile: string;
const token = (c: string) => c.repeat(64);
const payload = {
  title: 'A (#general, G)',
  body: 'hi',
  url: '/channels/1/2',
  channel_id: '2',
  guild_id: '1',
  message_id: '3',
  count: 1,
  tag: 'ch-2',
};
const log = pino({ level: 'silent' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'retrocast-apns-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  keyFile = join(dir, 'AuthKey.p8');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  apns = await LocalApns.start(dir, publicKey);
});
afterAll(async () => {
  await apns?.close();
  rmSync(dir, { recursive: true, force: true });
});

const senderWith = (now: () => number) =>
  new ApnsSender({ keyFile, keyId: KID, teamId: TEAM, topic: TOPIC, origin: apns.origin }, log, {
    now,
    backoffMs: 20,
    ca: readFileSync(join(dir, 'tls.crt'), 'utf8'),
  });

describe('ApnsSender against a local HTTP/2 APNs', { timeout: 120_000 }, () => {
  it('sends a verified ES256 JWT, topic, push type, alert and thread id', async () => {
    const s = senderWith(Date.now);
    const r = await s.send(token('a'), payload);
    expect(r.status).toBe(200);
    expect(apns.errors).toEqual([]);
    const got = apns.received.at(-1);
    expect(got?.token).toBe(token('a'));
    expect(got?.body.aps).toMatchObject({ alert: { title: payload.title, body: 'hi' }, 'thread-id': '2' });
    expect(got?.body.url).toBe('/channels/1/2');
    s.close();
  });

  it('reuses the JWT until it is 50 minutes old, then signs a new one', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const s = senderWith(() => now);
    await s.send(token('b'), payload);
    now += 30 * 60_000;
    await s.send(token('b'), payload);
    now += JWT_MAX_AGE_MS - 30 * 60_000 - 1;
    await s.send(token('b'), payload);
    const jwts = apns.received.slice(-3).map((r) => r.jwt);
    expect(s.signed).toBe(1);
    expect(new Set(jwts).size).toBe(1);
    now += 1;
    await s.send(token('b'), payload);
    expect(s.signed).toBe(2);
    expect(apns.received.at(-1)?.jwt).not.toBe(jwts[0]);
    s.close();
  });

  it('retries 429 and 5xx with backoff; gives up on other errors at once', async () => {
    const s = senderWith(Date.now);
    const n = apns.received.length;
    apns.answers.push([429, 'TooManyRequests'], [503, 'ServiceUnavailable']);
    expect((await s.send(token('c'), payload)).status).toBe(200);
    expect(apns.received.length - n).toBe(3);
    apns.answers.push([400, 'BadTopic']);
    expect(await s.send(token('c'), payload)).toEqual({ status: 400, reason: 'BadTopic' });
    expect(apns.received.length - n).toBe(4);
    s.close();
  });
});

describe('APNs through the server', { timeout: 120_000 }, () => {
  let server: TestServer;
  let guild: TestGuild;
  let alice: TestUser;
  beforeAll(async () => {
    server = await startServer({
      env: {
        RATE_LIMIT_DISABLED: '1',
        NOTIFY_BATCH_MS: '300',
        APNS_KEY_FILE: keyFile,
        APNS_KEY_ID: KID,
        APNS_TEAM_ID: TEAM,
        APNS_TOPIC: TOPIC,
        APNS_HOST: apns.origin,
        APNS_CA_FILE: join(dir, 'tls.crt'),
      },
    });
    guild = await createGuild(server);
    alice = await addMember(server, guild.guildId);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('registers devices, validates them, pushes a mention, and deletes a token APNs calls unregistered', async () => {
    const bad = [{ platform: 'android', token: token('d') }, { platform: 'ios', token: 'xyz' }, { platform: 'ios' }];
    for (const body of bad) expect((await api(server, 'POST', '/users/@me/devices', { token: alice.token, body })).status).toBe(400);
    expect((await api(server, 'POST', '/users/@me/devices', { body: { platform: 'ios', token: token('d') } })).status).toBe(401);
    expect(
      (await api(server, 'POST', '/users/@me/devices', { token: alice.token, body: { platform: 'ios', token: token('d') } })).status,
    ).toBe(204);

    const n = apns.received.length;
    const res = await api(server, 'POST', `/channels/${guild.channelId}/messages`, {
      token: guild.owner.token,
      body: { content: `yo <@${alice.id}>` },
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 200 && apns.received.length === n; i++) await quiet(50);
    const got = apns.received.at(-1);
    expect(got?.token).toBe(token('d'));
    expect(got?.body.aps.alert).toEqual({ title: `${guild.owner.username} (#general, Message Tests)`, body: `yo @${alice.username}` });
    expect(got?.body.aps['thread-id']).toBe(guild.channelId);
    expect(got?.headers['apns-topic']).toBe(TOPIC);

    apns.answers.push([410, 'Unregistered']);
    await api(server, 'POST', `/channels/${guild.channelId}/messages`, {
      token: guild.owner.token,
      body: { content: `again <@${alice.id}>` },
    });
    const rows = () => server.app.ctx.db.select().from(deviceTokens).where(eq(deviceTokens.userId, alice.id));
    for (let i = 0; i < 200 && (await rows()).length; i++) await quiet(50);
    expect(await rows()).toEqual([]);
    expect(
      (await api(server, 'DELETE', '/users/@me/devices', { token: alice.token, body: { platform: 'ios', token: token('d') } })).status,
    ).toBe(404);
    expect(apns.errors).toEqual([]);
  });
});
