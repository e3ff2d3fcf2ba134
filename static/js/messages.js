/* Trinvis messages: send in the background, never lose a message, never send it twice.
 *
 * - Every send carries a client key made here; the server stores one message per key,
 *   so a retry or a double tap can never store two.
 * - A message waits in localStorage ("trinvis.outbox.v2.<user id>") until the server
 *   has it: while offline it shows as "waiting", and is sent with the same key when the
 *   connection is back (on `online`, every 15 s, and when the page opens again). The
 *   outbox belongs to the person who wrote it: on a shared phone, another person's
 *   session never sends it, and signing out clears it (trinvis.js).
 * - A refusal that may pass (signed out, CSRF, too many at once, server trouble) keeps
 *   the message waiting; a refusal that will not pass marks it "Ikke sendt" with
 *   "Prøv igen", in this conversation now or when it is next opened. Nothing is
 *   dropped without the person seeing it.
 * - The live stream (htmx SSE extension) appends new messages; this script drops
 *   duplicates, replaces a pending bubble by the stored message, remembers the last
 *   event id in `sse-connect` (so a re-created stream continues where it stopped),
 *   and tells the server what was read while the page is visible.
 * No inline scripts (CSP); the page works as plain forms without this file.
 */
(function () {
  'use strict';

  const OWNER = (function () {
    const meta = document.querySelector('meta[name="trinvis-user"]');
    return meta ? meta.getAttribute('content') : '';
  }());
  const OUTBOX = 'trinvis.outbox.v2.' + OWNER;
  // Refusals that may pass by themselves or after signing in again: keep waiting.
  const TRANSIENT = [401, 403, 408, 425, 429];
  const RETRY_MS = 15000;
  const TEXTS = {
    da: {
      sending: 'Sender …',
      waiting: 'Venter på forbindelse. Sendes, når du er online igen.',
      failed: 'Ikke sendt.',
      retry: 'Prøv igen',
      empty: 'Skriv en besked først.',
    },
    en: {
      sending: 'Sending …',
      waiting: 'Waiting for a connection. It will be sent when you are online again.',
      failed: 'Not sent.',
      retry: 'Try again',
      empty: 'Write a message first.',
    },
  };

  function text(key) {
    const lang = (document.documentElement.lang || 'da').slice(0, 2).toLowerCase();
    return (TEXTS[lang] || TEXTS.da)[key];
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  /* A client key per message: 36 characters with dashes, or 32 hex digits where
     randomUUID is missing; both follow the rule in app/services/client_keys.py. */
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  /* ---------- the outbox on the device ---------- */
  function readOutbox() {
    if (!OWNER) return [];
    try {
      const items = JSON.parse(window.localStorage.getItem(OUTBOX) || '[]');
      return Array.isArray(items) ? items : [];
    } catch (err) {
      return [];
    }
  }

  function writeOutbox(items) {
    if (!OWNER) return;
    try {
      window.localStorage.setItem(OUTBOX, JSON.stringify(items));
    } catch (err) {
      // Private mode or a full disk: the message still goes out while the page is open.
    }
  }

  function remember(item) {
    const items = readOutbox().filter(function (i) { return i.key !== item.key; });
    items.push(item);
    writeOutbox(items);
  }

  function forget(key) {
    writeOutbox(readOutbox().filter(function (i) { return i.key !== key; }));
  }

  function markFailed(key) {
    writeOutbox(readOutbox().map(function (i) {
      return i.key === key ? Object.assign({}, i, { failed: true }) : i;
    }));
  }

  function isTransient(status) {
    return status >= 500 || TRANSIENT.indexOf(status) !== -1;
  }

  /* ---------- bubbles ---------- */
  function conversation() {
    return document.getElementById('conversation');
  }

  /* ---------- keeping the newest message in view ----------
   * On a desk the conversation scrolls in its own box; on a phone the page scrolls and
   * the composer sticks to the bottom. Either way the newest message must be visible
   * above the composer, unless the reader has scrolled up to read older messages. */
  const NEAR_PX = 96;

  function scrollBox() {
    const box = document.querySelector('[data-conversation-scroll]');
    if (!box) return null;
    const overflow = window.getComputedStyle(box).overflowY;
    return overflow === 'auto' || overflow === 'scroll' ? box : null;
  }

  function measureComposer() {
    const composer = document.getElementById('composer');
    const height = composer ? composer.getBoundingClientRect().height : 0;
    document.documentElement.style.setProperty('--composer-space', Math.ceil(height) + 'px');
  }

  function atNewest() {
    const box = scrollBox();
    if (box) return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_PX;
    const list = conversation();
    const last = list && list.lastElementChild;
    if (!last) return true;
    const composer = document.getElementById('composer');
    const limit = composer ? composer.getBoundingClientRect().top : window.innerHeight;
    return last.getBoundingClientRect().bottom < limit + NEAR_PX;
  }

  function showNewest() {
    const list = conversation();
    const last = list && list.lastElementChild;
    if (!last) return;
    measureComposer();
    const box = scrollBox();
    if (box) box.scrollTop = box.scrollHeight;
    last.scrollIntoView({ block: 'end' });
  }

  function pendingBubble(key) {
    return document.querySelector('.message[data-pending-key="' + key + '"]');
  }

  function showPending(item, state) {
    const list = conversation();
    if (!list) return null;
    let bubble = pendingBubble(item.key);
    if (!bubble) {
      bubble = document.createElement('li');
      bubble.className = 'message message--mine message--pending';
      bubble.setAttribute('data-pending-key', item.key);
      const body = document.createElement('p');
      body.className = 'message-body';
      body.textContent = item.body;
      const meta = document.createElement('span');
      meta.className = 'message-meta';
      bubble.appendChild(body);
      bubble.appendChild(meta);
      list.appendChild(bubble);
      hideEmpty();
    }
    setState(bubble, item, state);
    // The writer's own message always comes into view.
    if (bubble === list.lastElementChild) showNewest();
    return bubble;
  }

  function setState(bubble, item, state) {
    const meta = bubble.querySelector('.message-meta');
    bubble.classList.toggle('message--failed', state === 'failed');
    bubble.classList.toggle('message--pending', state !== 'failed');
    meta.textContent = state === 'failed' ? text('failed') : text(state);
    meta.setAttribute('role', state === 'failed' ? 'alert' : 'status');
    if (state === 'failed') {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'link-button';
      retry.setAttribute('data-retry-key', item.key);
      retry.textContent = text('retry');
      meta.appendChild(document.createTextNode(' '));
      meta.appendChild(retry);
    }
  }

  function hideEmpty() {
    const empty = document.getElementById('conversation-empty');
    if (empty) empty.hidden = true;
  }

  function htmlToNode(html) {
    const template = document.createElement('template');
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  /* Put a stored message in place of its pending bubble, once. */
  function settle(node) {
    if (!node || !node.id) return false;
    const key = node.getAttribute('data-client-key');
    const bubble = key ? pendingBubble(key) : null;
    const existing = document.getElementById(node.id);
    if (existing) {
      if (bubble) bubble.remove();
      return true;
    }
    if (bubble) {
      bubble.replaceWith(node);
      return true;
    }
    return false;
  }

  /* ---------- sending ---------- */
  const inFlight = {};

  function send(item) {
    if (inFlight[item.key]) return;
    inFlight[item.key] = true;
    showPending(item, 'sending');
    const form = new URLSearchParams();
    form.set('body', item.body);
    form.set('client_key', item.key);
    window.fetch(item.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': csrfToken(),
        'HX-Request': 'true',
      },
      body: form.toString(),
    }).then(function (response) {
      return response.text().then(function (html) { return { response: response, html: html }; });
    }).then(function (answer) {
      delete inFlight[item.key];
      const status = answer.response.status;
      if (status >= 200 && status < 300) {
        forget(item.key);
        const node = htmlToNode(answer.html);
        if (!settle(node)) {
          const bubble = pendingBubble(item.key);
          if (bubble) bubble.remove();
        }
        return;
      }
      if (status === 422 && answer.html.indexOf('id="composer"') !== -1) {
        forget(item.key);
        const bubble = pendingBubble(item.key);
        if (bubble) bubble.remove();
        const composer = document.getElementById('composer');
        if (composer) composer.outerHTML = answer.html;
        return;
      }
      const bubble = pendingBubble(item.key);
      if (isTransient(status)) {
        // Kept with its key: sent again on the next round, stored once by the server.
        if (bubble) setState(bubble, item, 'waiting');
        return;
      }
      markFailed(item.key);
      if (bubble) setState(bubble, item, 'failed');
    }).catch(function () {
      // No connection: keep it on the device and try again later, with the same key.
      delete inFlight[item.key];
      const bubble = pendingBubble(item.key);
      if (bubble) setState(bubble, item, 'waiting');
    });
  }

  function flushOutbox() {
    readOutbox().forEach(function (item) {
      const here = conversation() && item.url === composerUrl();
      if (item.failed) {
        // Waits for the person to press "Prøv igen" in its own conversation.
        if (here) showPending(item, 'failed');
        return;
      }
      if (!here) {
        // Another conversation's message: send it too, it just is not shown here.
        if (navigator.onLine !== false) sendQuietly(item);
        return;
      }
      send(item);
    });
  }

  function sendQuietly(item) {
    if (inFlight[item.key]) return;
    inFlight[item.key] = true;
    const form = new URLSearchParams({ body: item.body, client_key: item.key });
    window.fetch(item.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': csrfToken(),
        'HX-Request': 'true',
      },
      body: form.toString(),
    }).then(function (response) {
      delete inFlight[item.key];
      if (response.ok) forget(item.key);
      else if (!isTransient(response.status)) markFailed(item.key);
    }).catch(function () { delete inFlight[item.key]; });
  }

  function composerUrl() {
    const composer = document.getElementById('composer');
    return composer ? composer.getAttribute('action') : null;
  }

  function onSubmit(event) {
    const form = event.target;
    if (!form || !form.matches || !form.matches('form[data-composer]')) return;
    event.preventDefault();
    const field = form.querySelector('textarea[name="body"]');
    const body = (field.value || '').trim();
    if (!body) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      return;
    }
    field.removeAttribute('aria-invalid');
    const item = { key: newKey(), url: form.getAttribute('action'), body: body, at: Date.now() };
    remember(item);
    field.value = '';
    field.focus();
    send(item);
  }

  function onKeydown(event) {
    if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey)) return;
    const field = event.target;
    if (!field || !field.closest || !field.closest('form[data-composer]')) return;
    event.preventDefault();
    field.closest('form').requestSubmit();
  }

  function onClick(event) {
    const retry = event.target.closest && event.target.closest('[data-retry-key]');
    if (retry) {
      const key = retry.getAttribute('data-retry-key');
      const item = readOutbox().find(function (i) { return i.key === key; });
      if (item) {
        delete item.failed;
        remember(item);
        send(item);
      } else {
        const bubble = pendingBubble(key);
        const body = bubble ? bubble.querySelector('.message-body').textContent : '';
        if (bubble) bubble.remove();
        const again = { key: newKey(), url: composerUrl(), body: body, at: Date.now() };
        remember(again);
        send(again);
      }
      return;
    }
    const snippet = event.target.closest && event.target.closest('[data-snippet]');
    if (snippet) {
      const field = document.querySelector('form[data-composer] textarea[name="body"]');
      if (!field) return;
      const value = snippet.getAttribute('data-snippet');
      const start = field.selectionStart || field.value.length;
      const end = field.selectionEnd || field.value.length;
      field.value = field.value.slice(0, start) + value + field.value.slice(end);
      field.focus();
    }
  }

  /* ---------- the live stream ---------- */
  // Was the reader at the newest message when the next one arrived?
  let followNewest = true;

  function onSseBeforeMessage(event) {
    const message = event.detail;
    const source = event.target.closest('[sse-connect]');
    if (source && message && message.lastEventId) {
      const url = source.getAttribute('sse-connect').replace(/([?&])after=\d*/, '$1after=' + message.lastEventId);
      source.setAttribute('sse-connect', url);
    }
    if (!message || message.type !== 'message') return;
    followNewest = atNewest();
    const node = htmlToNode(message.data || '');
    if (settle(node)) {
      event.preventDefault();
      return;
    }
    hideEmpty();
  }

  function onSseMessage(event) {
    const message = event.detail;
    if (message && message.type === 'message') {
      if (followNewest) showNewest();
      markRead();
    }
  }

  /* ---------- read receipts ---------- */
  let lastRead = 0;

  function markRead() {
    if (document.visibilityState !== 'visible') return;
    const composer = document.getElementById('composer');
    const list = conversation();
    if (!composer || !list) return;
    const unread = list.querySelectorAll('.message[data-incoming][data-unread]');
    if (!unread.length) return;
    const newest = Number(unread[unread.length - 1].getAttribute('data-message-id'));
    if (!newest || newest <= lastRead) return;
    lastRead = newest;
    const form = new URLSearchParams({ up_to: String(newest) });
    window.fetch(composer.getAttribute('data-read-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-CSRF-Token': csrfToken(),
        'HX-Request': 'true',
      },
      body: form.toString(),
    }).then(function (response) {
      if (response.ok) {
        Array.prototype.forEach.call(unread, function (el) { el.removeAttribute('data-unread'); });
      } else {
        lastRead = 0;
      }
    }).catch(function () { lastRead = 0; });
  }

  function start() {
    try {
      // The first outbox belonged to no one in particular; it must not be sent as anyone.
      window.localStorage.removeItem('trinvis.outbox.v1');
    } catch (err) { /* nothing kept */ }
    document.addEventListener('submit', onSubmit);
    document.addEventListener('keydown', onKeydown);
    document.addEventListener('click', onClick);
    document.addEventListener('htmx:sseBeforeMessage', onSseBeforeMessage);
    document.addEventListener('htmx:sseMessage', onSseMessage);
    document.addEventListener('htmx:afterSettle', markRead);
    document.addEventListener('visibilitychange', markRead);
    window.addEventListener('online', flushOutbox);
    window.setInterval(flushOutbox, RETRY_MS);
    showNewest();
    window.addEventListener('resize', measureComposer);
    flushOutbox();
    markRead();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
