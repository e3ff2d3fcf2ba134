/* Trinvis: the small script every page loads with `defer`.
 *
 * The CSP forbids inline scripts and inline event handlers, so all behaviour
 * is wired here through data attributes and event delegation. No libraries;
 * ES2017; everything still works (minus the htmx parts) if htmx is absent.
 *
 * Markup contract:
 *   <meta name="csrf-token" content="...">     sent as X-CSRF-Token on htmx requests
 *   <div id="toasts">                          .toast (.toast--info / .toast--error)
 *                                              with a button.toast-close
 *   <form data-confirm="Question?">            asks before submitting; also works
 *                                              on a submit button (per button)
 *   <button data-copy="text">                  copies text; a child .copy-label, if
 *                                              present, is the part that changes
 *   [data-autofocus] in htmx-swapped content   receives focus after the swap
 *   <form data-sign-out>                       clears what waits on this device
 *                                              (unsent messages, check-in drafts)
 */
(function () {
  'use strict';

  const INFO_TOAST_MS = 6000;
  const COPIED_MS = 2500;

  const TEXTS = {
    da: {
      copied: 'Kopieret',
      copyFailed: 'Kunne ikke kopiere',
      offline: 'Ingen forbindelse. Tjek dit internet og prøv igen.',
      failed: 'Noget gik galt. Prøv igen om lidt.',
      close: 'Luk',
      unsent: 'Du har beskeder, der ikke er sendt endnu. Hvis du logger ud, bliver de slettet fra telefonen. Vil du logge ud alligevel?',
    },
    en: {
      copied: 'Copied',
      copyFailed: 'Could not copy',
      offline: 'No connection. Check your internet and try again.',
      failed: 'Something went wrong. Please try again in a moment.',
      close: 'Close',
      unsent: 'You have messages that are not sent yet. If you sign out, they are deleted from this phone. Sign out anyway?',
    },
  };

  function text(key) {
    const lang = (document.documentElement.lang || 'da').slice(0, 2).toLowerCase();
    return (TEXTS[lang] || TEXTS.da)[key];
  }

  function closest(node, selector) {
    return node && node.nodeType === 1 && node.closest ? node.closest(selector) : null;
  }

  /* (a) Service worker, for install and the offline page. */
  function registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    const register = function () {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
        // Plain http on a LAN address, private mode …: the app works without it.
      });
    };
    // After the page has loaded, so the worker's downloads never slow it down.
    if (document.readyState === 'complete') register();
    else window.addEventListener('load', register);
  }

  /* (b) CSRF token on every htmx request. */
  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function onConfigRequest(event) {
    const token = csrfToken();
    if (token && event.detail && event.detail.headers) {
      event.detail.headers['X-CSRF-Token'] = token;
    }
  }

  /* (c) Toasts. Errors stay until closed; info toasts leave after 6 s, but not
   * while the pointer or keyboard focus is on them (WCAG 2.2.1). */
  function toastRegion() {
    return document.getElementById('toasts');
  }

  function startToastTimer(toast) {
    if (toast.classList.contains('toast--error')) return;
    stopToastTimer(toast);
    toast.trinvisTimer = window.setTimeout(function () {
      removeToast(toast);
    }, INFO_TOAST_MS);
  }

  function stopToastTimer(toast) {
    if (toast.trinvisTimer) window.clearTimeout(toast.trinvisTimer);
    toast.trinvisTimer = null;
  }

  function watchToast(toast) {
    if (toast.trinvisWatched) return;
    toast.trinvisWatched = true;
    if (toast.classList.contains('toast--error')) return;
    toast.addEventListener('mouseenter', function () { stopToastTimer(toast); });
    toast.addEventListener('mouseleave', function () { startToastTimer(toast); });
    toast.addEventListener('focusin', function () { stopToastTimer(toast); });
    toast.addEventListener('focusout', function () { startToastTimer(toast); });
    startToastTimer(toast);
  }

  function removeToast(toast) {
    stopToastTimer(toast);
    const hadFocus = toast.contains(document.activeElement);
    if (toast.parentNode) toast.parentNode.removeChild(toast);
    if (hadFocus) {
      // Do not leave keyboard users stranded on <body>.
      const main = document.getElementById('main');
      if (main) main.focus();
    }
  }

  function watchToasts() {
    const region = toastRegion();
    if (!region) return;
    Array.prototype.forEach.call(region.querySelectorAll('.toast'), watchToast);
    if (!('MutationObserver' in window)) return;
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType !== 1) return;
          if (node.classList.contains('toast')) watchToast(node);
          Array.prototype.forEach.call(node.querySelectorAll('.toast'), watchToast);
        });
      });
    }).observe(region, { childList: true, subtree: true });
  }

  /* A toast made here, for failures the server never got to answer. */
  function showToast(kind, message) {
    const region = toastRegion();
    if (!region) return;
    const toast = document.createElement('div');
    toast.className = 'toast toast--' + kind;
    toast.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    const p = document.createElement('p');
    p.textContent = message;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', text('close'));
    close.textContent = '\u00d7';
    toast.appendChild(p);
    toast.appendChild(close);
    region.appendChild(toast);
    watchToast(toast);
  }

  function onClickToastClose(event) {
    const button = closest(event.target, '.toast-close');
    if (!button) return;
    const toast = closest(button, '.toast');
    if (toast) removeToast(toast);
  }

  /* htmx does not swap 4xx/5xx answers by default. Ours are meant to be shown:
   * a toast the server retargeted to #toasts, or a 422 form with its errors next
   * to the fields. Other failures (a proxy's 502 page) get a toast from here. */
  function onBeforeSwap(event) {
    const detail = event.detail;
    if (!detail || !detail.xhr || detail.xhr.status < 400) return;
    const retargeted = !!detail.xhr.getResponseHeader('HX-Retarget');
    if (retargeted || detail.xhr.status === 422) {
      detail.shouldSwap = true;
      detail.isError = false;
    } else {
      showToast('error', text('failed'));
    }
  }

  function onSendError() {
    showToast('error', navigator.onLine === false ? text('offline') : text('failed'));
  }

  /* What this device keeps for the signed-in person until it is sent. */
  const DEVICE_KEYS = ['trinvis.outbox.', 'trinvis.checkin.'];

  function deviceKeys() {
    const keys = [];
    try {
      for (let i = 0; i < window.localStorage.length; i++) {
        const key = window.localStorage.key(i);
        if (key && DEVICE_KEYS.some(function (p) { return key.indexOf(p) === 0; })) keys.push(key);
      }
    } catch (err) { /* storage unavailable: nothing kept */ }
    return keys;
  }

  function hasUnsentMessages() {
    return deviceKeys().some(function (key) {
      if (key.indexOf('trinvis.outbox.') !== 0) return false;
      try {
        const items = JSON.parse(window.localStorage.getItem(key) || '[]');
        return Array.isArray(items) && items.length > 0;
      } catch (err) {
        return false;
      }
    });
  }

  /* (c2) Signing out on a shared phone leaves nothing of the person behind. */
  function onSignOut(event) {
    const form = event.target;
    if (!form || form.nodeName !== 'FORM' || !form.hasAttribute('data-sign-out')) return false;
    if (hasUnsentMessages() && !window.confirm(text('unsent'))) {
      event.preventDefault();
      event.stopPropagation();
      return true;
    }
    deviceKeys().forEach(function (key) {
      try { window.localStorage.removeItem(key); } catch (err) { /* already gone */ }
    });
    return true;
  }

  /* (d) Confirm before submitting a form (or pressing one submit button). */
  function onSubmit(event) {
    const form = event.target;
    if (!form || form.nodeName !== 'FORM') return;
    if (onSignOut(event)) return;
    const submitter = event.submitter;
    const question = (submitter && submitter.getAttribute('data-confirm')) ||
      form.getAttribute('data-confirm');
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      // Capture phase on document: htmx's own submit listener never sees it.
      event.stopPropagation();
    }
  }

  /* (e) Copy to clipboard. */
  function copyText(value) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(value).catch(function () {
        return copyBySelection(value);
      });
    }
    return copyBySelection(value);
  }

  // Older phones, plain-http demos, or a clipboard permission that was refused.
  function copyBySelection(value) {
    return new Promise(function (resolve, reject) {
      const focused = document.activeElement;
      const area = document.createElement('textarea');
      area.value = value;
      area.setAttribute('readonly', '');
      area.className = 'visually-hidden';
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try {
        ok = document.execCommand('copy');
      } catch (err) {
        ok = false;
      }
      document.body.removeChild(area);
      if (focused && focused.focus) focused.focus();  // keep keyboard users in place
      if (ok) resolve(); else reject(new Error('copy failed'));
    });
  }

  function onClickCopy(event) {
    const button = closest(event.target, 'button[data-copy]');
    if (!button) return;
    event.preventDefault();
    const label = button.querySelector('.copy-label') || button;
    if (label.trinvisOriginal === undefined) label.trinvisOriginal = label.textContent;
    const say = function (message) {
      label.textContent = message;
      window.clearTimeout(button.trinvisCopyTimer);
      button.trinvisCopyTimer = window.setTimeout(function () {
        label.textContent = label.trinvisOriginal;
      }, COPIED_MS);
    };
    copyText(button.getAttribute('data-copy')).then(
      function () { say(text('copied')); },
      function () { say(text('copyFailed')); }
    );
  }

  /* (f) After an htmx swap, focus the first [data-autofocus] in the new content,
   * so screen-reader users land where the answer is. */
  let pendingFocus = null;

  function isFocusable(el) {
    return el.tabIndex >= 0 || el.hasAttribute('tabindex');
  }

  function onHtmxLoad(event) {
    const root = event.target;
    // htmx fires this for <body> once at start-up: that is a page load, not a swap.
    if (!root || root.nodeType !== 1 || root === document.body) return;
    if (pendingFocus) return;
    const target = root.matches('[data-autofocus]') ? root : root.querySelector('[data-autofocus]');
    if (!target) return;
    pendingFocus = target;
    // After htmx has finished its own focus restoring for this swap.
    window.setTimeout(function () {
      const el = pendingFocus;
      pendingFocus = null;
      if (!el || !document.documentElement.contains(el)) return;
      if (!isFocusable(el)) el.setAttribute('tabindex', '-1');
      el.focus();
    }, 0);
  }

  /* Lets the stylesheet keep the chat composer above the fixed tab bar and
   * toasts above the composer; browsers with :has() do not need it. */
  function markLayout() {
    const root = document.documentElement.classList;
    if (document.querySelector('.tabbar')) root.add('has-tabbar');
    if (document.querySelector('.composer')) root.add('has-composer');
  }

  function start() {
    registerServiceWorker();
    markLayout();
    watchToasts();
    document.addEventListener('htmx:configRequest', onConfigRequest);
    document.addEventListener('htmx:beforeSwap', onBeforeSwap);
    document.addEventListener('htmx:sendError', onSendError);
    document.addEventListener('htmx:timeout', onSendError);
    document.addEventListener('htmx:load', onHtmxLoad);
    document.addEventListener('submit', onSubmit, true);
    document.addEventListener('click', onClickToastClose);
    document.addEventListener('click', onClickCopy);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
