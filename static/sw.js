/* Trinvis service worker. Served at /sw.js (scope "/") by app/routers/pwa.py.
 *
 * Rules:
 * - Only the app shell is cached: our CSS and JS, the vendored htmx files, the
 *   icons, the manifest and the "/offline" page. Pages with personal data are
 *   never stored; "/offline" is fetched without cookies so the cached copy is
 *   the anonymous page, whoever installed the worker.
 * - Static assets are cache-first. Our own CSS/JS keep the same URL between
 *   releases, so ANY change to a file in PRECACHE needs a new CACHE_VERSION,
 *   otherwise installed apps keep the old copy.
 * - Navigations go to the network; only when it fails do we show "/offline".
 * - Everything else (htmx requests, POSTs, the SSE stream, other origins)
 *   is left to the browser untouched.
 */
'use strict';

// Push and notification-click handlers live beside the notification code.
importScripts('/static/js/sw-push.js');

const CACHE_VERSION = 'trinvis-v4';

const OFFLINE_URL = '/offline';

const PRECACHE = [
  '/static/css/trinvis.css',
  '/static/js/trinvis.js',
  '/static/vendor/htmx-2.0.11/htmx.min.js',
  '/static/vendor/htmx-ext-sse-2.2.4/sse.js',
  '/static/icons/favicon.svg',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/static/icons/icon-maskable-512.png',
  '/static/icons/apple-touch-icon-180.png',
  '/manifest.webmanifest',
];

// Used only by the browser tests; not worth a young person's phone storage.
const NEVER_CACHE_PREFIXES = ['/static/vendor/axe-core-'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE_VERSION).then((cache) =>
      Promise.all([cache.addAll(PRECACHE), cacheOfflinePage(cache)])
    ).then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names
          .filter((name) => name.startsWith('trinvis-') && name !== CACHE_VERSION)
          .map((name) => caches.delete(name))
      ))
      .then(() => enableNavigationPreload())
      .then(() => self.clients.claim())
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === 'navigate') {
    event.respondWith(networkThenOffline(event));
    return;
  }
  if (isStaticAsset(url)) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else: no respondWith, so the browser fetches it as usual.
});

function cacheOfflinePage(cache) {
  // credentials 'omit': the page is rendered for nobody, so nothing personal
  // (name, counters, tokens tied to a session) ends up in the cache.
  const request = new Request(OFFLINE_URL, { credentials: 'omit', cache: 'no-store' });
  return fetch(request).then((response) => {
    if (!response.ok) throw new Error('offline page answered ' + response.status);
    return cache.put(OFFLINE_URL, response);
  });
}

function enableNavigationPreload() {
  if (self.registration.navigationPreload) {
    return self.registration.navigationPreload.enable().catch(() => undefined);
  }
  return Promise.resolve();
}

function isStaticAsset(url) {
  if (url.pathname === '/manifest.webmanifest') return true;
  if (!url.pathname.startsWith('/static/')) return false;
  return !NEVER_CACHE_PREFIXES.some((prefix) => url.pathname.startsWith(prefix));
}

function networkThenOffline(event) {
  const fromNetwork = Promise.resolve(event.preloadResponse).then(
    (preloaded) => preloaded || fetch(event.request)
  );
  // The page itself is never put in the cache: it may hold personal data.
  return fromNetwork.catch(() =>
    caches.match(OFFLINE_URL, { cacheName: CACHE_VERSION }).then(
      (offline) => offline || new Response(
        'Ingen forbindelse. / No connection.',
        { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }
      )
    )
  );
}

function cacheFirst(request) {
  return caches.open(CACHE_VERSION).then((cache) =>
    cache.match(request).then((cached) => {
      if (cached) return cached;
      return fetch(request).then((response) => {
        // Only keep plain successful same-origin answers (no errors, no partials).
        if (response.ok && response.status === 200 && response.type === 'basic') {
          cache.put(request, response.clone());
        }
        return response;
      });
    })
  );
}
