"""A real HTTP reverse proxy in front of the test OIDC provider that can forge ID tokens.

Why: security tests must prove that the relying party rejects bad ID tokens, and a certified
provider will never issue one. The proxy sits between the app and the provider and rewrites the
``id_token`` in the token endpoint's JSON response, everything else passes through untouched.

Technique:

* The provider is started with ``--issuer <proxy url>`` and the proxy forwards the ``Host`` header
  unchanged, so discovery, redirects, cookies and the ``iss`` claim all name the proxy: the relying
  party only ever sees the proxy as its issuer (any leftover upstream origin in discovery documents
  or ``Location`` headers is rewritten as well).
* The proxy owns an RSA key (kid ``proxy-rsa-1``) and appends its public half to the proxied JWKS.
  A token the proxy re-signs with it is therefore *validly signed* for the relying party, which
  isolates exactly one defect per mode (wrong nonce, issuer, audience, or a past ``exp``).
* Modes that must fail signature checks keep the provider's original signature over changed
  claims, drop the signature (``alg: none``), or sign with a stray key that is not published.

Modes (``proxy.mode = ...``, ``None`` passes tokens through):

========================  ==========================================================
``alg_none``              header ``{"alg": "none"}``, same claims, empty signature
``expired``               ``exp`` in the past, original signature kept (signature invalid)
``expired_resigned``      ``exp``/``iat`` in the past, validly re-signed (only "expired" is wrong)
``wrong_nonce``           nonce replaced, validly re-signed
``wrong_issuer``          ``iss`` replaced, validly re-signed
``wrong_audience``        ``aud`` replaced, validly re-signed
``bad_signature``         claims untouched, signature bytes flipped
``unknown_key``           re-signed with a key that is not in the JWKS (kid ``stray-rsa``)
========================  ==========================================================

For a token that the provider itself lets expire, start the provider with ``id_token_ttl=1``.
Every rewrite is recorded in ``proxy.tampered`` as ``{"mode", "original", "forged"}``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.peers.oidc_provider import OidcProvider

MODES = (
    "alg_none",
    "expired",
    "expired_resigned",
    "wrong_nonce",
    "wrong_issuer",
    "wrong_audience",
    "bad_signature",
    "unknown_key",
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "content-encoding",
    "accept-encoding",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class _SigningKey:
    """An RSA key that signs RS256 JWTs and exports its public JWK."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public_jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": _int_b64(numbers.n),
            "e": _int_b64(numbers.e),
        }

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        header = {**header, "alg": "RS256", "kid": self.kid}
        signing_input = (
            f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        )
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


class OidcTamperProxy:
    """Listen on 127.0.0.1 (port chosen at construction), forward to ``upstream`` once started."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.upstream = ""
        self.provider: OidcProvider | None = None
        self.tampered: list[dict[str, Any]] = []
        self._mode: str | None = None
        self._lock = threading.Lock()
        self._key = _SigningKey("proxy-rsa-1")
        self._stray = _SigningKey("stray-rsa")
        self._client: httpx.Client | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def in_front_of(cls, **provider_kwargs: Any) -> OidcTamperProxy:
        """Start a provider whose issuer is this proxy, and the proxy; ``stop()`` ends both."""
        proxy = cls()
        proxy.provider = OidcProvider(issuer=proxy.url, **provider_kwargs).start()
        return proxy.start(proxy.provider.url)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def mode(self) -> str | None:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, value: str | None) -> None:
        if value is not None and value not in MODES:
            raise ValueError(f"unknown tamper mode {value!r}; choose from {MODES}")
        with self._lock:
            self._mode = value

    def start(self, upstream: str) -> OidcTamperProxy:
        self.upstream = upstream.rstrip("/")
        self._client = httpx.Client(base_url=self.upstream, follow_redirects=False, timeout=30)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.provider is not None:
            self.provider.stop()

    def __enter__(self) -> OidcTamperProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- rewriting -------------------------------------------------------------------------
    def _rewrite_urls(self, text: str) -> str:
        return text.replace(self.upstream, self.url)

    def rewrite_json(self, path: str, body: Any) -> Any:
        if isinstance(body, dict) and path.rstrip("/").endswith("/jwks") and "keys" in body:
            body["keys"] = [*body["keys"], self._key.public_jwk()]
        elif isinstance(body, dict) and isinstance(body.get("id_token"), str):
            mode = self.mode
            if mode is not None:
                forged = self.forge(body["id_token"], mode)
                with self._lock:
                    self.tampered.append(
                        {"mode": mode, "original": body["id_token"], "forged": forged}
                    )
                body["id_token"] = forged
        return body

    def forge(self, token: str, mode: str) -> str:
        """Return ``token`` changed according to ``mode`` (see the module docstring)."""
        head_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        now = int(time.time())
        if mode == "alg_none":
            return f"{b64url(json.dumps({'alg': 'none'}).encode())}.{claims_b64}."
        if mode == "expired":
            claims["exp"] = now - 3600
            return f"{head_b64}.{b64url(json.dumps(claims).encode())}.{sig_b64}"
        if mode == "bad_signature":
            sig = bytearray(b64url_decode(sig_b64))
            sig[0] ^= 0xFF
            sig[-1] ^= 0xFF
            return f"{head_b64}.{claims_b64}.{b64url(bytes(sig))}"
        if mode == "unknown_key":
            return self._stray.sign(header, claims)
        if mode == "expired_resigned":
            claims.update(iat=now - 7200, exp=now - 3600)
            if "auth_time" in claims:
                claims["auth_time"] = now - 7200
        elif mode == "wrong_nonce":
            claims["nonce"] = "forged-nonce-" + b64url(now.to_bytes(8, "big"))
        elif mode == "wrong_issuer":
            claims["iss"] = f"{self.url}/not-the-issuer"
        elif mode == "wrong_audience":
            claims["aud"] = "some-other-client"
            claims.pop("azp", None)
        return self._key.sign(header, claims)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def _forward(self) -> None:
        proxy: OidcTamperProxy = self.server.proxy  # type: ignore[attr-defined]
        assert proxy._client is not None
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        upstream = proxy._client.request(self.command, self.path, headers=headers, content=body)
        content = upstream.content
        if "json" in upstream.headers.get("content-type", "") and content:
            data = json.loads(proxy._rewrite_urls(content.decode()))
            content = json.dumps(proxy.rewrite_json(self.path.split("?")[0], data)).encode()
        self.send_response(upstream.status_code)
        for key, value in upstream.headers.multi_items():
            if key.lower() in _HOP_BY_HOP:
                continue
            if key.lower() == "location":
                value = proxy._rewrite_urls(value)
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _forward
