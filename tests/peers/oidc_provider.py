"""Run the real OpenID Connect provider (``oidc/provider.mjs``) as a subprocess for tests.

Why a Node process: there is no maintained OIDC provider for Python 3.11 that a test could run, and
the project's rule forbids mocking HTTP; ``oidc-provider`` is a certified OP implementation, so the
relying-party code is exercised against real discovery, JWKS, PKCE, token and logout endpoints.

Typical use::

    with OidcProvider(accounts=[{"sub": "ung-1", "email": "u@example.org", "name": "Ung",
                                 "acr": "urn:nsis:substantial", "youth_ref": "Y-1"}],
                      client_id="trinvis", client_secret="s3cret",
                      redirect_uris=["http://127.0.0.1:8000/auth/callback"]) as op:
        op.issuer                      # "http://127.0.0.1:<port>"
        op.login_as("ung-1")           # who the next logins authenticate as (sticky)
        ...                            # drive the flow with httpx, follow redirects
        op.events()                    # what the provider saw (login, token, logout, error)

The login account can also be chosen per request with ``login_hint=<sub or email>``.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from html import unescape
from pathlib import Path
from typing import Any

import httpx

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
_install_lock = threading.Lock()


def ensure_node_modules() -> None:
    """Install the pinned ``oidc-provider`` with ``npm ci`` when ``node_modules`` is missing."""
    with _install_lock:
        if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed; the OIDC test provider needs Node.js + npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True, capture_output=True
        )


class OidcProvider:
    """A live ``oidc-provider`` on 127.0.0.1 with one client and the given accounts.

    ``issuer`` may be given to make the provider claim another origin as its issuer (used by
    :class:`tests.peers.oidc_tamper_proxy.OidcTamperProxy`, which sits in front of it).
    ``id_token_ttl`` (seconds, >= 1) makes genuinely expiring ID tokens possible.
    ``claims_in_userinfo_only`` leaves e-mail and profile claims out of the ID token (as the
    provider does out of the box): the relying party must read them from userinfo.
    """

    def __init__(
        self,
        accounts: list[dict[str, Any]],
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        issuer_port: int | None = None,
        *,
        post_logout_redirect_uris: list[str] | None = None,
        token_endpoint_auth_method: str = "client_secret_basic",
        id_token_ttl: int = 3600,
        claims_in_userinfo_only: bool = False,
        issuer: str | None = None,
        start_timeout: float = 20.0,
    ) -> None:
        self.accounts = accounts
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.port = issuer_port or 0
        self._config = {
            "accounts": accounts,
            "id_token_ttl": id_token_ttl,
            "claims_in_userinfo_only": claims_in_userinfo_only,
            "client": {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": self.redirect_uris,
                "post_logout_redirect_uris": list(post_logout_redirect_uris or []),
                "token_endpoint_auth_method": token_endpoint_auth_method,
            },
        }
        self._issuer_override = issuer
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: list[str] = []
        self.issuer = ""
        self.url = ""  # where the process really listens (differs from issuer behind a proxy)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> OidcProvider:
        ensure_node_modules()
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not installed; the OIDC test provider needs Node.js")
        cmd = [node, "provider.mjs", "--port", str(self.port)]
        if self._issuer_override:
            cmd += ["--issuer", self._issuer_override]
        env = {
            **os.environ,
            "OIDC_CONFIG": json.dumps(self._config),
            "NODE_NO_WARNINGS": "1",
            "OIDC_EXIT_WITH_STDIN": "1",
        }
        self._proc = subprocess.Popen(
            cmd,
            cwd=OIDC_DIR,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.PIPE,  # closed when we die: the provider then exits too
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(self._proc.stdout, lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self._proc.stderr, None), daemon=True).start()
        deadline = time.monotonic() + self._start_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"OIDC provider did not start: {self.stderr}") from None
            if line.startswith("READY "):
                _, self.issuer, self.url = line.split()
                self.port = int(self.url.rsplit(":", 1)[1])
                break
            if line == "":  # EOF: the process died
                self.stop()
                raise RuntimeError(f"OIDC provider exited: {self.stderr}")
        return self

    def _pump(self, stream: Any, sink: queue.Queue[str] | None) -> None:
        for line in stream:
            if sink is not None:
                sink.put(line)
            else:
                self._stderr.append(line.rstrip())
        if sink is not None:
            sink.put("")

    @property
    def stderr(self) -> str:
        return "\n".join(self._stderr)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------------------
    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/__test__/{path}", json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    def login_as(self, sub: str | None) -> None:
        """Make every following login authenticate ``sub`` (None: back to the first account)."""
        self._admin("POST", "next-login", {"sub": sub})

    def deny_logins(self, error: str = "access_denied") -> None:
        """Make following logins end with ``error`` (as if the user cancelled); undo: login_as."""
        self._admin("POST", "next-login", {"error": error})

    def upsert_account(self, account: dict[str, Any]) -> dict[str, Any]:
        """Add an account or change claims of an existing one (keyed by ``sub``)."""
        return self._admin("POST", "accounts", account)

    def events(self) -> list[dict[str, Any]]:
        """Logins, token grants, logouts and errors the provider recorded, oldest first."""
        return self._admin("GET", "events")


_FORM = re.compile(r"<form[^>]*\baction=\"([^\"]+)\"[^>]*>(.*?)</form>", re.S | re.I)
_INPUT = re.compile(r"<input[^>]*\bname=\"([^\"]+)\"[^>]*\bvalue=\"([^\"]*)\"", re.I)


def parse_form(html: str) -> tuple[str, dict[str, str]]:
    """Return (action, hidden fields) of the first form of a provider page."""
    match = _FORM.search(html)
    if match is None:
        raise ValueError("no form in page")
    fields = {unescape(k): unescape(v) for k, v in _INPUT.findall(match.group(2))}
    return unescape(match.group(1)), fields


async def submit_form(client: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """Do what a user/browser does on the provider's logout confirmation or auto-post page."""
    action, fields = parse_form(response.text)
    return await client.post(httpx.URL(str(response.url)).join(action), data=fields)


async def authorize_headless(
    browser: httpx.AsyncClient, authorization_url: str, redirect_uri: str, max_hops: int = 20
) -> str:
    """Follow the provider's redirects like a browser until it sends us to ``redirect_uri``.

    Returns the full callback URL (with ``code``/``state`` or ``error``) without requesting it,
    so the test can hand it to the relying party. ``browser`` keeps the provider's cookies.
    """
    url = authorization_url
    for _ in range(max_hops):
        if url.startswith(redirect_uri):
            return url
        response = await browser.get(url, follow_redirects=False)
        if response.status_code not in (302, 303):
            raise AssertionError(f"provider answered {response.status_code}: {response.text[:500]}")
        url = str(response.url.join(response.headers["location"]))
    raise AssertionError("too many redirects during the authorization flow")
