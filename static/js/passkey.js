// Passkeys (WebAuthn): add one on the devices page, sign in with one on the login page.
// The server makes the options and checks the answers; this file only talks to the
// browser's navigator.credentials and posts JSON with the CSRF token.
(function () {
  "use strict";

  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch);
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfToken(),
      },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      if (!response.ok) throw new Error("refused " + response.status);
      return response.json();
    });
  }

  function showError(box) {
    var error = box.querySelector("[data-passkey-error]");
    if (error) error.hidden = false;
  }

  function register(box) {
    post("/me/passkeys/options")
      .then(function (options) {
        options.challenge = toBytes(options.challenge);
        options.user.id = toBytes(options.user.id);
        (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({ publicKey: options });
      })
      .then(function (credential) {
        var response = credential.response;
        return post("/me/passkeys", {
          id: credential.id,
          rawId: toBase64url(credential.rawId),
          type: credential.type,
          response: {
            clientDataJSON: toBase64url(response.clientDataJSON),
            attestationObject: toBase64url(response.attestationObject),
            transports: response.getTransports ? response.getTransports() : [],
          },
          clientExtensionResults: credential.getClientExtensionResults(),
        });
      })
      .then(function (result) { window.location.assign(result.redirect); })
      .catch(function () { showError(box); });
  }

  function signIn(box) {
    post("/login/passkey/options")
      .then(function (options) {
        options.challenge = toBytes(options.challenge);
        (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({ publicKey: options });
      })
      .then(function (credential) {
        var response = credential.response;
        return post("/login/passkey", {
          id: credential.id,
          rawId: toBase64url(credential.rawId),
          type: credential.type,
          response: {
            clientDataJSON: toBase64url(response.clientDataJSON),
            authenticatorData: toBase64url(response.authenticatorData),
            signature: toBase64url(response.signature),
            userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
          },
          clientExtensionResults: credential.getClientExtensionResults(),
        });
      })
      .then(function (result) { window.location.assign(result.redirect); })
      .catch(function () { showError(box); });
  }

  function wire(selector, buttonSelector, action) {
    var box = document.querySelector(selector);
    if (!box) return;
    box.hidden = false;
    var button = box.querySelector(buttonSelector);
    if (button) button.addEventListener("click", function () { action(box); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!supported()) return;
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = true;
    });
    wire("[data-passkey-register]", "[data-passkey-register-button]", register);
    wire("[data-passkey-sign-in]", "[data-passkey-sign-in-button]", signIn);
  });
})();
