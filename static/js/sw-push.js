/* Trinvis: Web Push in the service worker. Loaded by /sw.js with
 * `importScripts('/static/js/sw-push.js')`.
 *
 * The payload is JSON made by app/notifications/channels/push.py:
 *   {"title": "...", "body": "...", "url": "https://.../messages", "tag": "n123"}
 * It is generic on purpose (it shows on a locked screen): never message text.
 * A tap opens the URL, in an open Trinvis window when there is one; only URLs of our
 * own origin are opened.
 */
'use strict';

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = data.title || 'Trinvis';
  const options = {
    body: data.body || '',
    tag: data.tag || undefined,
    icon: '/static/icons/icon-192.png',
    badge: '/static/icons/icon-192.png',
    data: { url: data.url || '/' },
  };
  event.waitUntil(self.registration.showNotification(title, options));
});

function sameOriginUrl(value) {
  try {
    const url = new URL(value || '/', self.location.origin);
    return url.origin === self.location.origin ? url.href : self.location.origin + '/';
  } catch (error) {
    return self.location.origin + '/';
  }
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = sameOriginUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => client.url.startsWith(self.location.origin));
      if (open) {
        return open.focus().then((client) => (client.navigate ? client.navigate(target) : client));
      }
      return self.clients.openWindow(target);
    })
  );
});
