/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Caches the app shell (built JS/CSS + static files) so the PWA opens offline; API and gateway
// traffic is never cached.
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `retrocast-${version}`;
const SHELL = [...build, ...files];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== sw.location.origin || url.pathname.startsWith('/api/') || url.pathname === '/gateway') return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (SHELL.includes(url.pathname)) {
        const hit = await cache.match(url.pathname);
        if (hit) return hit;
      }
      try {
        const res = await fetch(req);
        // Navigations: remember the latest index.html as the offline fallback.
        if (req.mode === 'navigate' && res.ok) cache.put('/', res.clone());
        return res;
      } catch (err) {
        const fallback = req.mode === 'navigate' ? await cache.match('/') : undefined;
        if (fallback) return fallback;
        throw err;
      }
    })(),
  );
});

// Web Push from the notification worker (server/src/notifications): show it, unless a visible tab
// of ours already shows that channel; a click focuses a tab (or opens one) on the channel.
sw.addEventListener('push', (event) => {
  let data: { title?: string; body?: string; icon?: string; url?: string; tag?: string } = {};
  try {
    data = event.data?.json() ?? {};
  } catch {
    data = { title: 'Retrocast', body: event.data?.text() ?? '' };
  }
  event.waitUntil(
    (async () => {
      const url = data.url ?? '/channels/@me';
      const tabs = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      if (tabs.some((t) => t.visibilityState === 'visible' && new URL(t.url).pathname === url)) return;
      await sw.registration.showNotification(data.title ?? 'Retrocast', {
        body: data.body ?? '',
        icon: data.icon ?? '/icon-192.png',
        badge: '/icon-192.png',
        tag: data.tag,
        data: { url },
      });
    })(),
  );
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data as { url?: string } | null)?.url ?? '/channels/@me', sw.location.origin).href;
  event.waitUntil(
    (async () => {
      const tabs = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = tabs.find((t) => new URL(t.url).origin === sw.location.origin);
      if (tab) {
        await tab.focus();
        await tab.navigate(url).catch(() => tab.postMessage({ type: 'navigate', url }));
        return;
      }
      await sw.clients.openWindow(url);
    })(),
  );
});
