"""The OIDC peer works: headless code+PKCE logins, account choice, logout, forged tokens.

Uses authlib's client and joserfc the way a relying party would, so a failure here means the
peer (not the app) is broken.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import KeySet

from tests.peers.fixtures import (
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_POST_LOGOUT_REDIRECT_URIS,
    OIDC_REDIRECT_URIS,
)
from tests.peers.oidc_provider import OidcProvider, authorize_headless, submit_form
from tests.peers.oidc_tamper_proxy import OidcTamperProxy, b64url_decode

REDIRECT_URI = OIDC_REDIRECT_URIS[0]


@dataclass
class Login:
    issuer: str
    nonce: str
    token: dict[str, Any]
    jwks: dict[str, Any]
    metadata: dict[str, Any]

    def validate(self, leeway: int = 0) -> dict[str, Any]:
        """What a careful relying party does with the ID token."""
        decoded = jwt.decode(
            self.token["id_token"], KeySet.import_key_set(self.jwks), algorithms=["RS256"]
        )
        jwt.JWTClaimsRegistry(
            leeway=leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": OIDC_CLIENT_ID},
            nonce={"essential": True, "value": self.nonce},
            sub={"essential": True},
            exp={"essential": True},
        ).validate(decoded.claims)
        return decoded.claims


async def login(issuer: str, browser: httpx.AsyncClient | None = None, **auth_params: str) -> Login:
    async with AsyncOAuth2Client(
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        scope="openid email profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    ) as rp:
        metadata = (
            await rp.request(
                "GET", f"{issuer}/.well-known/openid-configuration", withhold_token=True
            )
        ).json()
        verifier, nonce = generate_token(48), generate_token(20)
        url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce, **auth_params
        )
        async with httpx.AsyncClient() as own_browser:
            callback = await authorize_headless(browser or own_browser, url, REDIRECT_URI)
        token = await rp.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        jwks = (await rp.request("GET", metadata["jwks_uri"], withhold_token=True)).json()
    return Login(issuer, nonce, dict(token), jwks, metadata)


async def test_discovery_advertises_code_pkce_and_logout(oidc_provider: OidcProvider) -> None:
    async with httpx.AsyncClient() as client:
        meta = (await client.get(oidc_provider.discovery_url)).json()
    assert meta["issuer"] == oidc_provider.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["end_session_endpoint"].startswith(oidc_provider.issuer)
    assert {"openid", "email", "profile"} <= set(meta["scopes_supported"])


async def test_default_account_logs_in_with_all_claims(oidc_provider: OidcProvider) -> None:
    result = await login(oidc_provider.issuer)
    claims = result.validate()
    assert claims["sub"] == "guide-anna"
    assert claims["email"] == "anna@guide.test"
    assert claims["name"] == "Anna Guide"
    assert claims["acr"] == "urn:trinvis:nsis:substantial"
    assert claims["nsis_level"] == "substantial"
    async with httpx.AsyncClient() as client:
        userinfo = (
            await client.get(
                result.metadata["userinfo_endpoint"],
                headers={"Authorization": f"Bearer {result.token['access_token']}"},
            )
        ).json()
    assert userinfo["sub"] == "guide-anna"
    assert userinfo["email_verified"] is True


async def test_login_hint_selects_the_account(oidc_provider: OidcProvider) -> None:
    claims = (await login(oidc_provider.issuer, login_hint="youth-bo")).validate()
    assert claims["sub"] == "youth-bo"
    assert claims["youth_ref"] == "YR-0001"
    claims = (await login(oidc_provider.issuer, login_hint="cai@admin.test")).validate()
    assert claims["sub"] == "admin-cai"


async def test_login_as_switches_account_in_the_same_browser(oidc_provider: OidcProvider) -> None:
    async with httpx.AsyncClient() as browser:
        first = (await login(oidc_provider.issuer, browser)).validate()
        oidc_provider.login_as("youth-bo")
        second = (await login(oidc_provider.issuer, browser)).validate()
        third = (await login(oidc_provider.issuer, browser)).validate()  # SSO: same account
    assert (first["sub"], second["sub"], third["sub"]) == ("guide-anna", "youth-bo", "youth-bo")
    logins = [e["sub"] for e in oidc_provider.events() if e["type"] == "login"]
    assert logins[-2:] == ["guide-anna", "youth-bo"]


async def test_denied_login_returns_error_to_the_client(oidc_provider: OidcProvider) -> None:
    oidc_provider.deny_logins()
    async with AsyncOAuth2Client(
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        scope="openid",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    ) as rp:
        url, _ = rp.create_authorization_url(
            f"{oidc_provider.issuer}/auth", code_verifier=generate_token(48)
        )
        async with httpx.AsyncClient() as browser:
            callback = await authorize_headless(browser, url, REDIRECT_URI)
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]


async def test_pkce_is_required(oidc_provider: OidcProvider) -> None:
    async with AsyncOAuth2Client(
        OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, scope="openid", redirect_uri=REDIRECT_URI
    ) as rp:  # no code challenge
        url, _ = rp.create_authorization_url(f"{oidc_provider.issuer}/auth")
        async with httpx.AsyncClient() as browser:
            callback = await authorize_headless(browser, url, REDIRECT_URI)
    query = parse_qs(urlsplit(callback).query)
    assert query["error"] == ["invalid_request"]
    assert "PKCE" in query["error_description"][0]


async def test_rp_initiated_logout(oidc_provider: OidcProvider) -> None:
    post_logout = OIDC_POST_LOGOUT_REDIRECT_URIS[0]
    async with httpx.AsyncClient() as browser:
        result = await login(oidc_provider.issuer, browser)
        page = await browser.get(
            result.metadata["end_session_endpoint"],
            params={
                "id_token_hint": result.token["id_token"],
                "post_logout_redirect_uri": post_logout,
                "state": "bye",
            },
        )
        assert page.status_code == 200 and "<form" in page.text
        done = await submit_form(browser, page)
        assert done.status_code in (302, 303)
        assert done.headers["location"] == f"{post_logout}?state=bye"
        # The session is gone: the next login needs a fresh authentication.
        await login(oidc_provider.issuer, browser)
    types = [e["type"] for e in oidc_provider.events()]
    assert types[-3:] == ["logout", "login", "token"]


async def test_provider_can_issue_really_expiring_id_tokens(oidc_provider_factory: Any) -> None:
    short = oidc_provider_factory(id_token_ttl=1)
    result = await login(short.issuer)
    claims = result.validate()
    assert claims["exp"] - claims["iat"] == 1
    await asyncio.sleep(claims["exp"] - time.time() + 0.05)  # joserfc: expired when exp <= now
    with pytest.raises(ExpiredTokenError):
        result.validate()


async def test_proxy_passes_valid_tokens_through(oidc_tamper_proxy: OidcTamperProxy) -> None:
    result = await login(oidc_tamper_proxy.issuer)
    assert result.metadata["issuer"] == oidc_tamper_proxy.issuer
    assert all(
        v.startswith(oidc_tamper_proxy.url)
        for k, v in result.metadata.items()
        if k.endswith("_endpoint") or k == "jwks_uri"
    )
    assert {k["kid"] for k in result.jwks["keys"]} == {"op-rsa-1", "proxy-rsa-1"}
    assert result.validate()["sub"] == "guide-anna"
    assert oidc_tamper_proxy.tampered == []


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("alg_none", JoseError),
        ("expired", BadSignatureError),
        ("bad_signature", BadSignatureError),
        ("unknown_key", InvalidKeyIdError),
        ("expired_resigned", ExpiredTokenError),
        ("wrong_nonce", InvalidClaimError),
        ("wrong_issuer", InvalidClaimError),
        ("wrong_audience", InvalidClaimError),
    ],
)
async def test_tamper_mode_breaks_exactly_one_check(
    oidc_tamper_proxy: OidcTamperProxy, mode: str, error: type[Exception]
) -> None:
    oidc_tamper_proxy.mode = mode
    result = await login(oidc_tamper_proxy.issuer)
    with pytest.raises(error) as caught:
        result.validate()
    claim = {"wrong_nonce": "nonce", "wrong_issuer": "iss", "wrong_audience": "aud"}.get(mode)
    if claim:
        assert caught.value.claim == claim  # type: ignore[attr-defined]
    if mode.startswith("expired"):
        payload = result.token["id_token"].split(".")[1]
        assert json.loads(b64url_decode(payload))["exp"] < time.time()
    assert [t["mode"] for t in oidc_tamper_proxy.tampered] == [mode]
