/**
 * This device's Web Push subscription (service worker + PushManager), registered with the server so
 * the notification worker can reach it while no tab is open. iOS: only from the home-screen PWA.
 */
import { api } from '../api';

export const pushState = $state({
  supported: typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined',
  subscribed: false,
});

async function registration() {
  return navigator.serviceWorker.ready;
}

/** Reflects whether this browser already has a subscription. */
export async function refreshPushState() {
  if (!pushState.supported) return;
  const sub = await (await registration()).pushManager.getSubscription().catch(() => null);
  pushState.subscribed = !!sub;
}

export async function subscribePush() {
  if (!pushState.supported) throw new Error('Push is not supported in this browser.');
  if (Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted')
    throw new Error('Notifications are not allowed.');
  const { public_key } = await api.vapidPublicKey();
  const reg = await registration();
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: public_key }));
  await api.addPushSubscription(sub.toJSON());
  pushState.subscribed = true;
}

export async function unsubscribePush() {
  const sub = await (await registration()).pushManager.getSubscription();
  if (sub) {
    await api.deletePushSubscription(sub.endpoint).catch(() => {});
    await sub.unsubscribe();
  }
  pushState.subscribed = false;
}
