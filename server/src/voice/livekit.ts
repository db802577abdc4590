import type { RoomServiceClient, WebhookEvent } from 'livekit-server-sdk';
import type { LiveKit } from './livekit-process.js';

/** The SDK (~10–20 MiB resident) loads at the first voice call, not at start: voice may be off. */
const sdk = () => import('livekit-server-sdk');

/** Join tokens only need to outlive the connect; LiveKit refreshes them for the session itself. */
const TOKEN_TTL = '10m';

export interface Grants {
  canPublish: boolean;
  canSubscribe: boolean;
}

/** A LiveKit access token: room = voice channel id, identity = user id. */
export async function mintToken(lk: LiveKit, room: string, identity: string, name: string, grants: Grants): Promise<string> {
  const { AccessToken } = await sdk();
  const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity, name, ttl: TOKEN_TTL });
  at.addGrant({ room, roomJoin: true, canPublish: grants.canPublish, canSubscribe: grants.canSubscribe, canPublishData: true });
  return at.toJwt();
}

const services = new WeakMap<LiveKit, RoomServiceClient>();
export async function roomService(lk: LiveKit): Promise<RoomServiceClient> {
  let svc = services.get(lk);
  if (!svc) {
    const { RoomServiceClient } = await sdk();
    svc = new RoomServiceClient(lk.serviceUrl, lk.apiKey, lk.apiSecret);
    services.set(lk, svc);
  }
  return svc;
}

/**
 * Applies grants to a connected participant. LiveKit replaces the whole permission object, so
 * every field is sent; revoking canPublish unpublishes its tracks, revoking canSubscribe stops
 * everything it receives.
 */
export async function setParticipantGrants(lk: LiveKit, room: string, identity: string, grants: Grants): Promise<void> {
  await (await roomService(lk)).updateParticipant(room, identity, {
    permission: { canPublish: grants.canPublish, canSubscribe: grants.canSubscribe, canPublishData: true },
  });
}

/** Verifies the signature (a JWT over the body's sha256) and parses the event. Throws if forged. */
export async function receiveWebhook(lk: LiveKit, rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
  const { WebhookReceiver } = await sdk();
  return new WebhookReceiver(lk.apiKey, lk.apiSecret).receive(rawBody, authorization);
}
