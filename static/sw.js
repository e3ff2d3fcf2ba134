/* Trinvis service worker. Served at /sw.js (scope "/") by app/routers/pwa.py.
 *
 * Rules:
 * - Only the app shell is cached: our CSS and JS, the vendored htmx files, the
 *   icons, the manifest and the "/offline" page. Pages with personal data are
 *   never stored; "/offline" is fetched without cookies so the cached copy is
 *   the anonymous page, whoever installed the worker.
 * - Static assets are cache-first. They are fetched under content-hashed names,
 *   and the cache is named after those hashes: the build (app/web/static_assets.py)
 *   fills in BUILD below, so a changed file changes this worker's bytes, browsers
 *   install it, and the old cache is deleted. Nothing is bumped by hand.
 * - Navigations go to the network; only when it fails do we show "/offline".
 * - Everything else (htmx requests, POSTs, the SSE stream, other origins)
 *   is left to the browser untouched.
 */
'use strict';

// Filled in by the static build: a version derived from every file's hash, and
// each file's hashed name (static/ source name -> served name).
const BUILD = { version: 'unbuilt', files: {} };

function hashedUrl(name) {
  return '/static/' + (BUILD.files[name] || name);
}

// Push and notification-click handlers live beside the notification code.
importScripts(hashedUrl('js/sw-push.js'));

const CACHE_VERSION = 'trinvis-' + BUILD.version;

const OFFLINE_URL = '/offline';

const PRECACHE = [
  'css/trinvis.css',
  'js/trinvis.js',
  'vendor/htmx-2.0.11/htmx.min.js',
  'vendor/htmx-ext-sse-2.2.4/sse.js',
  'icons/favicon.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
  'icons/icon-maskable-512.png',
  'icons/apple-touch-icon-180.png',
].map(hashedUrl).concat(['/manifest.webmanifest']);

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
