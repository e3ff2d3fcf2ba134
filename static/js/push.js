/* Trinvis: turning on Web Push on this device (loaded only by /me/notifications).
 *
 * The browser's permission prompt comes only after we explained why: the first button
 * shows the explanation, "Continue" then calls Notification.requestPermission() and
 * pushManager.subscribe() with the server's VAPID public key, and posts the
 * subscription. Without JavaScript or push support, the page says so instead.
 *
 * Markup contract (app/templates/notifications/_this_device.html):
 *   #push-device[data-push-key]          the VAPID public key (base64url)
 *   [data-push-start] [data-push-explain] [data-push-explanation] [data-push-allow]
 *   [data-push-cancel] [data-push-on] [data-push-off] [data-push-blocked]
 *   [data-push-unsupported] [data-push-status] template[data-push-texts]
 */
(function () {
  'use strict';

  const SUBSCRIBE_URL = '/me/notifications/push-subscription';

  function urlBase64ToUint8Array(base64String) {
    const padding = '='.repeat((4 - (base64String.length % 4)) % 4);
    const base64 = (base64String + padding).replace(/-/g, '+').replace(/_/g, '/');
    const raw = window.atob(base64);
    const output = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) output[i] = raw.charCodeAt(i);
    return output;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRF-Token': csrfToken(),
      },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error('answered ' + response.status);
      return response;
    });
  }

  function init() {
    const root = document.getElementById('push-device');
    if (!root || !root.dataset.pushKey) return;
    const part = function (name) { return root.querySelector('[data-push-' + name + ']'); };
    const texts = part('texts') ? part('texts').dataset : {};
    const status = part('status');
    const say = function (key) { if (status) status.textContent = texts[key] || ''; };
    const show = function (name, visible) { const el = part(name); if (el) el.hidden = !visible; };

    const supported = 'serviceWorker' in navigator && 'PushManager' in window &&
      'Notification' in window;
    if (!supported) { show('unsupported', true); return; }

    function render(subscription) {
      const denied = Notification.permission === 'denied';
      show('blocked', denied && !subscription);
      show('start', !denied && !subscription);
      show('on', Boolean(subscription));
      show('explanation', false);
      const explain = part('explain');
      if (explain) explain.setAttribute('aria-expanded', 'false');
    }

    function registration() {
      // trinvis.js registers /sw.js after load; wait for it, or register it ourselves.
      return navigator.serviceWorker.getRegistration('/').then(function (existing) {
        return existing || navigator.serviceWorker.register('/sw.js', { scope: '/' });
      }).then(function () { return navigator.serviceWorker.ready; });
    }

    function current() {
      return registration().then(function (reg) { return reg.pushManager.getSubscription(); });
    }

    function send(subscription) {
      return post(SUBSCRIBE_URL, subscription.toJSON()).then(function () { return subscription; });
    }

    part('explain').addEventListener('click', function () {
      show('start', false);
      show('explanation', true);
      part('explain').setAttribute('aria-expanded', 'true');
      const heading = part('explanation').querySelector('h3');
      if (heading) { heading.tabIndex = -1; heading.focus(); }
    });

    part('cancel').addEventListener('click', function () {
      render(null);
      part('explain').focus();
    });

    part('allow').addEventListener('click', function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== 'granted') { say('denied'); render(null); return null; }
        return registration().then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: urlBase64ToUint8Array(root.dataset.pushKey),
          });
        }).then(send).then(function (subscription) { say('on'); render(subscription); });
      }).catch(function () { say('failed'); render(null); });
    });

    part('off').addEventListener('click', function () {
      current().then(function (subscription) {
        if (!subscription) return null;
        const endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(SUBSCRIBE_URL + '/delete', { endpoint: endpoint });
        });
      }).then(function () { say('off'); render(null); })
        .catch(function () { say('failed'); });
    });

    // Keep the server's copy fresh: the browser may have rotated the subscription.
    current().then(function (subscription) {
      render(subscription);
      if (subscription && Notification.permission === 'granted') send(subscription).catch(function () {});
    }).catch(function () { render(null); });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
