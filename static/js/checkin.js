/* Check-in form: one statement per screen, answers kept on the device until sent.
 *
 * Progressive enhancement: without this script the form is one page of radio groups
 * and a plain POST. With it, the answers and the client key live in localStorage, so a
 * reload or a lost connection loses nothing, and a repeated "Send" reuses the same
 * client key (the server stores one check-in per key). No inline scripts or styles. */
(function () {
  "use strict";

  var MAX_AGE_MS = 14 * 24 * 3600 * 1000;
  var RETRY_MS = 8000;

  function load(key) {
    try {
      var draft = JSON.parse(window.localStorage.getItem(key) || "null");
      if (draft && Date.now() - draft.savedAt < MAX_AGE_MS) return draft;
    } catch (error) { /* storage unavailable or corrupt: start afresh */ }
    return null;
  }

  function save(key, draft) {
    try {
      draft.savedAt = Date.now();
      window.localStorage.setItem(key, JSON.stringify(draft));
    } catch (error) { /* private mode: the form still works, just without a draft */ }
  }

  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
  }

  /* After a successful send, the result page names the client key it stored. */
  function clearSentDrafts() {
    var sent = document.querySelector("[data-checkin-sent]");
    if (!sent) return;
    var clientKey = sent.getAttribute("data-checkin-sent");
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("trinvis.checkin.") === 0) {
          var draft = load(key);
          if (!draft || draft.clientKey === clientKey) forget(key);
        }
      }
    } catch (error) { /* nothing to clear */ }
  }

  function enhance(form) {
    var key = form.getAttribute("data-draft-key");
    var steps = Array.prototype.slice.call(form.querySelectorAll("[data-checkin-step]"));
    var progress = form.querySelector("[data-checkin-progress]");
    var label = progress.querySelector(".progress-label");
    var bar = progress.querySelector("progress");
    var back = form.querySelector("[data-checkin-back]");
    var next = form.querySelector("[data-checkin-next]");
    var send = form.querySelector("[data-checkin-send]");
    var status = form.querySelector("[data-checkin-status]");
    var clientKeyInput = form.querySelector("[data-client-key]");
    var current = 0;
    var sending = false;
    var retryTimer = null;

    var draft = load(key);
    if (draft && draft.clientKey) {
      clientKeyInput.value = draft.clientKey;
      Object.keys(draft.answers || {}).forEach(function (name) {
        var input = form.querySelector('input[type="radio"][name="' + name + '"][value="' + draft.answers[name] + '"]');
        if (input && !form.querySelector('input[name="' + name + '"]:checked')) input.checked = true;
      });
    }

    function answers() {
      var found = {};
      form.querySelectorAll('input[type="radio"]:checked').forEach(function (input) {
        found[input.name] = input.value;
      });
      return found;
    }

    function remember() {
      save(key, { clientKey: clientKeyInput.value, answers: answers(), step: current });
    }

    function answered(step) {
      return !!step.querySelector('input[type="radio"]:checked');
    }

    function stepError(step, show) {
      var error = step.querySelector("[data-step-error]");
      if (show) {
        error.textContent = form.getAttribute("data-text-choose");
        error.hidden = false;
        step.querySelector("fieldset").setAttribute("aria-describedby", error.id);
      } else {
        error.hidden = true;
        step.querySelector("fieldset").removeAttribute("aria-describedby");
      }
    }

    function show(index, moveFocus) {
      current = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== current; });
      var last = current === steps.length - 1;
      back.hidden = current === 0;
      next.hidden = last;
      send.hidden = !last;
      label.textContent = form.getAttribute("data-text-progress")
        .replace("{n}", String(current + 1)).replace("{total}", String(steps.length));
      bar.value = current + 1;
      if (moveFocus) {
        var step = steps[current];
        var target = step.querySelector('input[type="radio"]:checked') || step.querySelector('input[type="radio"]');
        target.focus();
      }
    }

    function firstUnanswered() {
      for (var i = 0; i < steps.length; i++) if (!answered(steps[i])) return i;
      return steps.length - 1;
    }

    form.classList.add("checkin-form--stepped");
    progress.hidden = false;
    var errored = steps.findIndex(function (step) { return !step.querySelector("[data-step-error]").hidden; });
    show(errored >= 0 ? errored : (draft ? firstUnanswered() : 0), false);

    form.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        stepError(steps[current], false);
        remember();
      }
    });

    next.addEventListener("click", function () {
      if (!answered(steps[current])) {
        stepError(steps[current], true);
        steps[current].querySelector('input[type="radio"]').focus();
        return;
      }
      show(current + 1, true);
      remember();
    });

    back.addEventListener("click", function () {
      show(current - 1, true);
      remember();
    });

    function trySend() {
      if (sending) return;
      sending = true;
      status.textContent = form.getAttribute("data-text-sending");
      var body = new URLSearchParams(new FormData(form));
      window.fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        if (response.ok && response.redirected) {
          forget(key);
          window.location.assign(response.url);
          return;
        }
        /* Refused (for instance a missing answer): let the server render the page. */
        sending = false;
        HTMLFormElement.prototype.submit.call(form);
      }).catch(function () {
        /* No connection: keep everything here and try again when we are online. */
        sending = false;
        status.textContent = form.getAttribute("data-text-offline");
        if (retryTimer === null) {
          retryTimer = window.setInterval(function () { if (navigator.onLine) trySend(); }, RETRY_MS);
        }
      });
    }

    window.addEventListener("online", function () {
      if (retryTimer !== null) trySend();
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var missing = firstUnanswered();
      if (!answered(steps[missing])) {
        show(missing, false);
        stepError(steps[missing], true);
        steps[missing].querySelector('input[type="radio"]').focus();
        return;
      }
      remember();
      if (!navigator.onLine) {
        status.textContent = form.getAttribute("data-text-offline");
        if (retryTimer === null) {
          retryTimer = window.setInterval(function () { if (navigator.onLine) trySend(); }, RETRY_MS);
        }
        return;
      }
      trySend();
    });
  }

  function start() {
    clearSentDrafts();
    document.querySelectorAll("[data-checkin-form]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
