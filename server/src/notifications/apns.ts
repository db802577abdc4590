import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { PushPayload } from '@retrocast/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { importPKCS8, SignJWT } from 'jose';
import type { Queryable } from '../db/client.js';
import type { Db } from '../db/types.js';
import type { ApnsConfig } from './config.js';
import { deleteDeviceToken, loadDevices, usersWithDevices } from './store.js';

/** Apple: a provider token is valid for an hour and must not be refreshed more than every 20 minutes. */
export const JWT_MAX_AGE_MS = 50 * 60_000;
const ATTEMPTS = 4;

export interface ApnsOptions {
  /** Clock (ms), injectable for the token-age tests. */
  now?: () => number;
  /** First retry delay; doubles per attempt. */
  backoffMs?: number;
  /** Extra trusted CA (PEM) for APNS_HOST, e.g. a local test server. */
  ca?: string;
}

export interface ApnsResult {
  status: number;
  reason?: string;
}

/**
 * APNs over HTTP/2 with token authentication: an ES256 JWT (kid = key id, iss = team id) reused
 * until it is 50 minutes old. 410 (Unregistered) and BadDeviceToken delete the token; 429 and 5xx
 * are retried with exponential backoff; an ExpiredProviderToken renews the JWT once.
 */
export class ApnsSender {
  readonly name = 'apns';
  private key?: CryptoKey;
  private jwt?: { token: string; issuedAt: number };
  private session?: http2.ClientHttp2Session;
  private readonly now: () => number;
  /** JWTs signed so far (tests check reuse and renewal). */
  signed = 0;

  constructor(
    private readonly cfg: ApnsConfig,
    private readonly log: FastifyBaseLogger,
    private readonly opts: ApnsOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  static fromConfig(cfg: ApnsConfig, log: FastifyBaseLogger) {
    return new ApnsSender(cfg, log, { ca: cfg.caFile ? readFileSync(cfg.caFile, 'utf8') : undefined });
  }

  private async token(renew = false): Promise<string> {
    const now = this.now();
    if (!renew && this.jwt && now - this.jwt.issuedAt < JWT_MAX_AGE_MS) return this.jwt.token;
    this.key ??= (await importPKCS8(readFileSync(this.cfg.keyFile, 'utf8'), 'ES256')) as CryptoKey;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.cfg.keyId })
      .setIssuer(this.cfg.teamId)
      .setIssuedAt(Math.floor(now / 1000))
      .sign(this.key);
    this.jwt = { token, issuedAt: now };
    this.signed++;
    return token;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.cfg.origin, this.opts.ca ? { ca: this.opts.ca } : {});
    session.on('error', (err) => this.log.warn({ err }, 'APNs connection error'));
    session.on('goaway', () => session.close());
    session.unref();
    this.session = session;
    return session;
  }

  private request(deviceToken: string, jwt: string, body: string, headers: Record<string, string>): Promise<ApnsResult> {
    return new Promise((resolve, reject) => {
      const req = this.connect().request({
        ':method': 'POST',
        ':path': `/3/device/${deviceToken}`,
        authorization: `bearer ${jwt}`,
        'content-type': 'application/json',
        ...headers,
      });
      req.setTimeout(10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
      let status = 0;
      let text = '';
      req.on('response', (h) => {
        status = Number(h[':status']);
      });
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        text += c;
      });
      req.on('end', () => {
        let reason: string | undefined;
        try {
          reason = text ? (JSON.parse(text) as { reason?: string }).reason : undefined;
        } catch {}
        resolve({ status, reason });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One notification to one device, with retries. */
  async send(deviceToken: string, payload: PushPayload): Promise<ApnsResult> {
    const body = JSON.stringify({
      aps: { alert: { title: payload.title, body: payload.body }, sound: 'default', 'thread-id': payload.channel_id, 'mutable-content': 1 },
      url: payload.url,
      channel_id: payload.channel_id,
      guild_id: payload.guild_id,
      message_id: payload.message_id,
    });
    const headers = { 'apns-topic': this.cfg.topic, 'apns-push-type': 'alert', 'apns-priority': '10', 'apns-collapse-id': payload.tag };
    let renewed = false;
    let result: ApnsResult = { status: 0 };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        result = await this.request(deviceToken, await this.token(), body, headers);
      } catch (err) {
        this.session?.destroy();
        result = { status: 0, reason: String(err) };
      }
      if (result.status === 403 && result.reason === 'ExpiredProviderToken' && !renewed) {
        renewed = true;
        await this.token(true);
        continue;
      }
      if (result.status !== 0 && result.status !== 429 && result.status < 500) return result;
      await new Promise((r) => setTimeout(r, (this.opts.backoffMs ?? 500) * 2 ** attempt));
    }
    return result;
  }

  /** Every iOS device of the user; unregistered tokens are deleted. Returns how many were delivered. */
  async sendToUser(q: Queryable, userId: string, payload: PushPayload): Promise<number> {
    let delivered = 0;
    for (const d of await loadDevices(q, userId)) {
      if (d.platform !== 'ios') continue;
      const r = await this.send(d.token, payload);
      if (r.status === 200) delivered++;
      else if (r.status === 410 || (r.status === 400 && r.reason === 'BadDeviceToken')) await deleteDeviceToken(q, d.platform, d.token);
      else this.log.warn({ status: r.status, reason: r.reason }, 'APNs refused a notification');
    }
    return delivered;
  }

  /** Which of these users have an iOS device registered. */
  reachable(q: Db, userIds: string[]): Promise<string[]> {
    return usersWithDevices(q, userIds, 'ios');
  }

  close() {
    this.session?.close();
  }
}
