"""The OpenID Connect relying party: discovery, code flow with PKCE, ID-token checks, logout.

Protocol only, no database: `app/services/identity/oidc_sign_in.py` keeps the pending flow and
decides who the person is. authlib's async client makes the HTTP calls; joserfc checks
the ID token: signature against the issuer's published keys (never `alg=none`, never a
shared-secret algorithm), issuer, audience, nonce and expiry.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

with warnings.catch_warnings():
    # authlib 1.9 prefers the httpx2 package but works with httpx, which we pin.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DISCOVERY_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60
HTTP_TIMEOUT = httpx.Timeout(10.0)


class OidcError(Exception):
    """The IdP's answer could not be trusted; `reason` is for the log, never for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OidcClient:
    """One registration of Trinvis at one IdP."""

    name: str  # "staff" or "citizen"
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str


@dataclass(frozen=True)
class TokenResult:
    claims: dict[str, Any]
    id_token: str
    access_token: str | None = None


_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks_cache: dict[str, KeySet] = {}


async def metadata(client: OidcClient) -> dict[str, Any]:
    """The issuer's discovery document, cached for an hour."""
    cached = _metadata_cache.get(client.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    url = client.issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(url)
            response.raise_for_status()
            document = dict(response.json())
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"discovery failed: {type(exc).__name__}") from exc
    # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer we asked.
    if document.get("issuer") != client.issuer:
        raise OidcError("discovery names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str):
            raise OidcError(f"discovery lacks {key}")
    _metadata_cache[client.issuer] = (time.monotonic(), document)
    return document


def _rp(client: OidcClient) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client.client_id,
        client.client_secret,
        scope=client.scopes,
        redirect_uri=client.redirect_uri,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
    )


async def authorization_url(client: OidcClient, *, state: str, nonce: str, verifier: str) -> str:
    meta = await metadata(client)
    async with _rp(client) as rp:
        url, _state = rp.create_authorization_url(
            meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce
        )
    return str(url)


async def exchange_code(
    client: OidcClient, *, code: str, verifier: str, nonce: str, now: datetime
) -> TokenResult:
    """Trade the authorization code for tokens and return the checked ID-token claims."""
    meta = await metadata(client)
    try:
        async with _rp(client) as rp:
            token = await rp.fetch_token(
                meta["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=verifier,
            )
    except (httpx.HTTPError, OAuthError, ValueError) as exc:
        raise OidcError(f"token request failed: {type(exc).__name__}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("no id_token in the token response")
    claims = await validate_id_token(client, id_token, nonce=nonce, now=now)
    access_token = token.get("access_token")
    return TokenResult(
        claims=claims,
        id_token=id_token,
        access_token=access_token if isinstance(access_token, str) else None,
    )


async def userinfo(client: OidcClient, *, access_token: str | None, sub: str) -> dict[str, Any]:
    """The claims the userinfo endpoint gives for `sub` (OpenID Connect Core 5.3).

    Many IdPs put the e-mail only here, not in the ID token. The answer is trusted as far
    as the TLS connection to the issuer's own endpoint goes, and only when its `sub` is
    the ID token's (5.3.2: otherwise it is someone else's and must not be used).
    """
    meta = await metadata(client)
    endpoint = meta.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not access_token:
        return {}
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            )
            response.raise_for_status()
            answer = response.json()
    except httpx.HTTPError as exc:
        raise OidcError(f"userinfo request failed: {type(exc).__name__}") from exc
    except ValueError as exc:  # a signed (application/jwt) or broken answer
        raise OidcError("userinfo is not JSON") from exc
    if not isinstance(answer, dict) or answer.get("sub") != sub:
        raise OidcError("userinfo is about another subject")
    return answer


async def validate_id_token(
    client: OidcClient, id_token: str, *, nonce: str, now: datetime
) -> dict[str, Any]:
    meta = await metadata(client)
    offered = meta.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in offered if alg in SIGNING_ALGORITHMS]
    if not algorithms:
        raise OidcError("the issuer offers no acceptable signing algorithm")
    try:
        decoded = await _decode(meta["jwks_uri"], id_token, algorithms)
        jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": client.issuer},
            aud={"essential": True, "value": client.client_id},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(decoded.claims)
    except JoseError as exc:
        raise OidcError(f"id_token refused: {type(exc).__name__}") from exc
    except ValueError as exc:  # not a JWT at all
        raise OidcError("id_token malformed") from exc
    claims = dict(decoded.claims)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client.client_id:
        raise OidcError("id_token azp is not us")
    return claims


async def _decode(jwks_uri: str, id_token: str, algorithms: list[str]) -> jwt.Token:
    keys = _jwks_cache.get(jwks_uri) or await _fetch_jwks(jwks_uri)
    try:
        return jwt.decode(id_token, keys, algorithms=algorithms)
    except InvalidKeyIdError:
        # The IdP may have rotated its keys since we cached them: look once more.
        keys = await _fetch_jwks(jwks_uri)
        return jwt.decode(id_token, keys, algorithms=algorithms)


async def _fetch_jwks(jwks_uri: str) -> KeySet:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(jwks_uri)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise OidcError(f"jwks fetch failed: {type(exc).__name__}") from exc
    _jwks_cache[jwks_uri] = keys
    return keys


async def end_session_url(
    client: OidcClient, *, id_token: str, post_logout_redirect_uri: str
) -> str | None:
    """Where to send the browser to sign out at the IdP too (RP-initiated logout)."""
    meta = await metadata(client)
    endpoint = meta.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
