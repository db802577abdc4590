/**
 * A Web Push service for tests, on loopback: it accepts RFC 8030 POSTs, verifies the VAPID JWT
 * (RFC 8292: audience, expiry, ES256 signature against the key the server publishes) and decrypts
 * the aes128gcm payload (RFC 8291) with the subscription's private key. Subscriptions are made here
 * as a browser would (P-256 key pair + 16-byte auth secret).
 */
import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ece from 'http_ece';
import { importJWK, jwtVerify } from 'jose';

export interface ReceivedPush {
  subscription: string;
  /** Decrypted JSON payload. */
  payload: any;
  headers: Record<string, string | string[] | undefined>;
  jwt: { aud: string; exp: number; sub: string };
}

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  /** Verification or decryption failures (a test asserts this stays empty). */
  readonly errors: string[] = [];
  /** Status to answer per subscription name (default 201). */
  readonly answer = new Map<string, number>();
  private readonly keys = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly vapidPublicKey: () => string,
  ) {}

  static async start(vapidPublicKey: () => string): Promise<LocalPushService> {
    let self: LocalPushService | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void self?.handle(req.url ?? '', req.headers, Buffer.concat(chunks)).then((status) => {
          res.statusCode = status;
          res.end();
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    self = new LocalPushService(server, `http://127.0.0.1:${port}`, vapidPublicKey);
    return self;
  }

  /** A new browser subscription at this service. */
  subscribe(name: string): BrowserSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    this.keys.set(name, { ecdh, auth });
    return {
      endpoint: `${this.origin}/push/${name}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
  }

  for(name: string) {
    return this.received.filter((r) => r.subscription === name);
  }

  private async handle(url: string, headers: ReceivedPush['headers'], body: Buffer): Promise<number> {
    const name = url.replace(/^\/push\//, '');
    const sub = this.keys.get(name);
    if (!sub) {
      this.errors.push(`unknown subscription ${name}`);
      return 404;
    }
    try {
      const jwt = await this.verifyVapid(String(headers.authorization ?? ''));
      if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${headers['content-encoding']}`);
      if (!headers.ttl) throw new Error('no TTL');
      const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth.toString('base64url') });
      this.received.push({ subscription: name, payload: JSON.parse(plain.toString('utf8')), headers, jwt });
    } catch (err) {
      this.errors.push(String(err));
      return 400;
    }
    return this.answer.get(name) ?? 201;
  }

  /** `Authorization: vapid t=<jwt>, k=<public key>` (RFC 8292 §3). */
  private async verifyVapid(header: string) {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!m) throw new Error(`bad Authorization header: ${header}`);
    const [, token, k] = m;
    const published = this.vapidPublicKey();
    if (k !== published) throw new Error('k is not the published VAPID key');
    const raw = Buffer.from(published, 'base64url');
    const key = await importJWK(
      { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') },
      'ES256',
    );
    const { payload } = await jwtVerify(token, key, { audience: this.origin, algorithms: ['ES256'] });
    const now = Math.floor(Date.now() / 1000);
    if (!payload.exp || payload.exp <= now || payload.exp > now + 24 * 3600) throw new Error(`exp ${payload.exp}`);
    if (!payload.sub || !/^(mailto:|https:)/.test(payload.sub)) throw new Error(`sub ${payload.sub}`);
    return payload as { aud: string; exp: number; sub: string };
  }

  close() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}
