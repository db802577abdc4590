import { type DeviceBody, Errors, type PushSubscriptionBody } from '@retrocast/protocol';
import type { AppContext, Caller } from '../context.js';
import type { AllowList } from '../embeds/address.js';
import { ApiError } from '../http/errors.js';
import { deleteDevice, deletePushSubscription, upsertDevice, upsertPushSubscription } from './store.js';
import { checkEndpoint } from './webpush.js';

/** Push belongs to people: bots have no devices. */
function checkNotBot(who: Caller) {
  if (who.bot) throw new ApiError(Errors.BOTS_FORBIDDEN);
}

/** POST /users/@me/push-subscriptions: a browser's PushSubscription, endpoint checked against SSRF. */
export async function doAddPushSubscription(ctx: AppContext, who: Caller, body: PushSubscriptionBody, allow: AllowList) {
  checkNotBot(who);
  const endpoint = await checkEndpoint(body.endpoint, allow);
  await upsertPushSubscription(ctx.db, { id: ctx.ids.next(), userId: who.id, endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth });
}

export async function doDeletePushSubscription(ctx: AppContext, who: Caller, endpoint: string) {
  let normalized = endpoint;
  try {
    normalized = new URL(endpoint).toString();
  } catch {}
  if (!(await deletePushSubscription(ctx.db, who.id, normalized))) throw new ApiError(Errors.NOT_FOUND);
}

/** POST /users/@me/devices: an APNs device token of the native iOS client. */
export async function doAddDevice(ctx: AppContext, who: Caller, body: DeviceBody) {
  checkNotBot(who);
  await upsertDevice(ctx.db, { id: ctx.ids.next(), userId: who.id, platform: body.platform, token: body.token.toLowerCase() });
}

export async function doDeleteDevice(ctx: AppContext, who: Caller, body: DeviceBody) {
  if (!(await deleteDevice(ctx.db, who.id, body.platform, body.token.toLowerCase()))) throw new ApiError(Errors.NOT_FOUND);
}
