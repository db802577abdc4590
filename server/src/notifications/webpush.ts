import { createECDH } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PushPayload } from '@retrocast/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Agent } from 'undici';
import type { Queryable } from '../db/client.js';
import type { Db } from '../db/types.js';
import { type AllowList, ipLiteral, isAddressAllowed } from '../embeds/address.js';
import { createSafeAgent, loadUndici } from '../embeds/fetcher.js';
import { invalidField } from '../http/errors.js';
import type { NotifyConfig } from './config.js';
import { deletePushSubscriptionById, loadPushSubscriptions, usersWithPushSubscriptions } from './store.js';

let webpush: Promise<typeof import('web-push')> | undefined;
/** web-push (and its crypto dependencies) load at the first push, not at start. */
const loadWebPush = () => (webpush ??= import('web-push').then((m) => m.default));

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * A new VAPID key pair (P-256, RFC 8292) in web-push's format: the uncompressed public point and the
 * 32-byte private key, base64url. Made here so that a first start need not load web-push (~9 MiB).
 */
function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // The private key comes without leading zero bytes; VAPID wants all 32.
  const privateKey = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(privateKey, 32 - raw.length);
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: privateKey.toString('base64url') };
}

/** VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY, else a pair generated once into DATA_DIR (instances sharing it agree). */
export function loadVapidKeys(config: NotifyConfig, dataDir: string): VapidKeys {
  if (config.vapidPublicKey && config.vapidPrivateKey) return { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey };
  const file = join(dataDir, 'vapid-keys.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VapidKeys;
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const keys = generateVapidKeys();
    try {
      // `wx`: if another instance wrote it first, theirs wins and we read it back.
      writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
      return keys;
    } catch {
      return JSON.parse(readFileSync(file, 'utf8')) as VapidKeys;
    }
  }
}

/**
 * A subscription endpoint is a URL the client chose, so the server must not be made to POST into
 * its own network: https only, and every address the host resolves to must be public — unless
 * PUSH_ALLOW_PRIVATE lists it (then plain http is accepted too, for a LAN or test push service).
 * The same check runs again when connecting (createSafeAgent), so DNS changes do not get around it.
 */
export async function checkEndpoint(raw: string, allow: AllowList): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('endpoint', 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const literal = ipLiteral(host);
  const listed =
    allow.hosts.has(host) ||
    (literal !== undefined &&
      allow.nets.length > 0 &&
      isAddressAllowed(literal, { hosts: new Set(), nets: allow.nets }) &&
      !isAddressAllowed(literal));
  if (url.username || url.password) throw invalidField('endpoint', 'URL_TYPE_INVALID_URL', 'Credentials are not allowed in the endpoint.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && listed))
    throw invalidField('endpoint', 'URL_TYPE_INVALID_SCHEME', 'The endpoint must be https.');
  if (allow.hosts.has(host)) return url.toString();
  const addrs = literal
    ? [literal]
    : await lookup(host, { all: true, verbatim: true }).then(
        (a) => a.map((x) => x.address),
        () => [],
      );
  if (!addrs.length || addrs.some((a) => !isAddressAllowed(a, allow))) {
    throw invalidField('endpoint', 'URL_TYPE_BLOCKED', 'The endpoint resolves to an address that is not allowed.');
  }
  return url.toString();
}

export interface WebPushSender {
  readonly publicKey: string;
  /** Sends to every subscription of the user; deletes those the push service says are gone. Returns how many were delivered. */
  sendToUser(q: Queryable, userId: string, payload: PushPayload): Promise<number>;
  /** Which of these users have a subscription (the others cannot be reached). */
  reachable(db: Db, userIds: string[]): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291): the `web-push`
 * library builds the encrypted request; we send it through the SSRF-safe agent.
 */
export function createWebPushSender(config: NotifyConfig, keys: VapidKeys, allow: AllowList, log: FastifyBaseLogger): WebPushSender {
  let agent: Promise<Agent> | undefined;
  const agentOf = () => (agent ??= createSafeAgent(allow, 10_000));
  const vapidDetails = { subject: config.vapidSubject, publicKey: keys.publicKey, privateKey: keys.privateKey };
  return {
    publicKey: keys.publicKey,
    async sendToUser(q, userId, payload) {
      let delivered = 0;
      const subscriptions = await loadPushSubscriptions(q, userId);
      if (!subscriptions.length) return 0;
      const [webpush, { fetch }, dispatcher] = await Promise.all([loadWebPush(), loadUndici(), agentOf()]);
      for (const sub of subscriptions) {
        const req = webpush.generateRequestDetails(
          { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          JSON.stringify(payload),
          {
            vapidDetails,
            TTL: 24 * 3600,
            urgency: 'high',
            topic: payload.tag.slice(0, 32),
          },
        );
        try {
          const res = await fetch(req.endpoint, {
            method: 'POST',
            headers: req.headers as Record<string, string>,
            body: req.body ?? undefined,
            dispatcher,
            redirect: 'manual',
          });
          await res.body?.cancel().catch(() => {});
          if (res.status === 404 || res.status === 410) await deletePushSubscriptionById(q, sub.id);
          else if (res.status >= 200 && res.status < 300) delivered++;
          else log.warn({ status: res.status, subscription: sub.id }, 'push service refused a notification');
        } catch (err) {
          log.warn({ err, subscription: sub.id }, 'web push failed');
        }
      }
      return delivered;
    },
    reachable: usersWithPushSubscriptions,
    close: async () => (await agent)?.close(),
  };
}
