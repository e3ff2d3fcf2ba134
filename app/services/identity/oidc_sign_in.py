"""Signing in through OpenID Connect: staff at the municipality's IdP, and (when set up)
young people through a citizen IdP such as a MitID broker.

Who may sign in is decided here, never by the IdP: staff must have been added by an
admin (their e-mail; the first sign-in binds the IdP's `sub`), and a young person must
have been invited by a guide with the reference the citizen IdP sends.

A refusal is returned, not raised: the pending flow was consumed and that must be
committed, so the same callback can never be tried twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.common.security import generate_token
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.i18n import N_
from app.models import STAFF_ROLES, OidcSessionLink, Role, User, Youth, YouthIdentityLink
from app.security import challenges, oidc
from app.security.sessions import end_session
from app.security.tokens import same, token_hash
from app.services.identity.accounts import start_signed_in
from app.settings import Settings

log = logging.getLogger("trinvis.security")

STAFF = "staff"
CITIZEN = "citizen"
CALLBACK_PATH = "/auth/oidc/callback"
NSIS_RANK = {"low": 1, "substantial": 2, "high": 3}


@dataclass(frozen=True)
class Refusal:
    message: str
    status_code: int


@dataclass(frozen=True)
class Outcome:
    """Either a signed-in user with the new session's cookie token, or a refusal."""

    user: User | None = None
    token: str | None = None
    next_path: str = "/"
    refusal: Refusal | None = None


EXPIRED = Refusal(
    N_("The sign-in took too long or was started in another window. Please try again."), 400
)
CANCELLED = Refusal(N_("The sign-in was cancelled."), 400)
UNTRUSTED = Refusal(N_("We could not confirm who you are. Please try again."), 400)
UNREACHABLE = Refusal(N_("The sign-in service did not answer. Please try again in a moment."), 502)
NOT_INVITED = Refusal(
    N_(
        "You have not been invited to Trinvis. Ask an administrator to add you with your "
        "work e-mail address."
    ),
    403,
)
EMAIL_NOT_CONFIRMED = Refusal(
    N_(
        "Your organisation's login did not confirm your e-mail address, so Trinvis cannot "
        "tell who you are. Ask your IT department to send a verified e-mail address."
    ),
    403,
)
NOT_INVITED_YOUTH = Refusal(
    N_("We could not find you in Trinvis. Ask your guide to invite you first."), 403
)
LEVEL_TOO_LOW = Refusal(
    N_("Please sign in with a higher security level, for example MitID with the app."), 403
)


def client_for(settings: Settings, provider: str) -> oidc.OidcClient | None:
    """The IdP registration for `provider`, or None when it is not configured."""
    redirect_uri = settings.public_base_url.rstrip("/") + CALLBACK_PATH
    if provider == STAFF and settings.staff_oidc_enabled:
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
        return oidc.OidcClient(
            STAFF,
            settings.oidc_issuer,
            settings.oidc_client_id,
            settings.oidc_client_secret,
            settings.oidc_scopes,
            redirect_uri,
        )
    if provider == CITIZEN and settings.citizen_oidc_enabled:
        assert settings.citizen_oidc_issuer and settings.citizen_oidc_client_id
        assert settings.citizen_oidc_client_secret
        return oidc.OidcClient(
            CITIZEN,
            settings.citizen_oidc_issuer,
            settings.citizen_oidc_client_id,
            settings.citizen_oidc_client_secret,
            settings.citizen_oidc_scopes,
            redirect_uri,
        )
    return None


async def begin(
    db: AsyncSession, *, client: oidc.OidcClient, next_path: str, now: datetime
) -> tuple[str, str]:
    """Start a sign-in: returns (cookie token, the IdP's authorization URL)."""
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = await oidc.authorization_url(client, state=state, nonce=nonce, verifier=verifier)
    token = await challenges.open_challenge(
        db,
        purpose=f"oidc.{client.name}",
        data={"state": state, "nonce": nonce, "verifier": verifier, "next": next_path},
        now=now,
    )
    return token, url


async def complete(
    db: AsyncSession,
    *,
    settings: Settings,
    flow_token: str | None,
    params: dict[str, str],
    now: datetime,
    ip: str,
    device_label: str,
) -> Outcome:
    """Finish a sign-in from the IdP's redirect back to us."""
    challenge = await challenges.take_challenge(
        db, token=flow_token, purposes=(f"oidc.{STAFF}", f"oidc.{CITIZEN}"), now=now
    )
    if challenge is None:
        return _refuse(EXPIRED, "no pending flow", ip)
    flow = challenges.data_of(challenge)
    client = client_for(settings, challenge.purpose.removeprefix("oidc."))
    if client is None:
        return _refuse(EXPIRED, "provider not configured", ip)
    if not same(params.get("state", ""), flow["state"]):
        return _refuse(EXPIRED, "state mismatch", ip)
    if "error" in params or not params.get("code"):
        return _refuse(CANCELLED, "idp returned an error", ip)
    try:
        result = await oidc.exchange_code(
            client, code=params["code"], verifier=flow["verifier"], nonce=flow["nonce"], now=now
        )
    except oidc.OidcError as exc:
        unreachable = exc.reason.startswith(("discovery", "jwks", "token request"))
        return _refuse(UNREACHABLE if unreachable else UNTRUSTED, exc.reason, ip)
    if client.name == STAFF:
        try:
            user, refusal = await _staff_user(db, client, result)
        except oidc.OidcError as exc:
            unreachable = exc.reason.startswith("userinfo request")
            return _refuse(UNREACHABLE if unreachable else UNTRUSTED, exc.reason, ip)
    else:
        user, refusal = await _invited_youth(db, settings, result.claims)
    if user is None:
        assert refusal is not None
        return _refuse(refusal, "not allowed", ip)
    token = await start_signed_in(
        db, user=user, method=f"oidc.{client.name}", ip=ip, device_label=device_label, now=now
    )
    session_id = token_hash(token)
    db.add(OidcSessionLink(session_id=session_id, provider=client.name, id_token=result.id_token))
    await db.flush()
    return Outcome(user=user, token=token, next_path=str(flow.get("next") or "/"))


def _refuse(refusal: Refusal, reason: str, ip: str) -> Outcome:
    log.warning(
        "sign-in refused",
        extra={"event": "sign_in_failed", "method": "oidc", "reason": reason, "ip": ip},
    )
    return Outcome(refusal=refusal)


async def _verified_email(client: oidc.OidcClient, result: oidc.TokenResult) -> str | None:
    """The person's e-mail when the IdP says it verified it (`_email_confirmed`).

    `email` and `email_verified` are read as a pair: from the ID token when it carries
    the e-mail, else from the userinfo endpoint (where many IdPs put it).
    """
    claims = result.claims
    if not isinstance(claims.get("email"), str):
        claims = await oidc.userinfo(
            client, access_token=result.access_token, sub=str(result.claims["sub"])
        )
    email = claims.get("email")
    if not isinstance(email, str) or not _email_confirmed(claims):
        return None
    return email


def _email_confirmed(claims: dict[str, Any]) -> bool:
    """`email_verified` is true; or, from Entra ID, which never sends that claim for work
    accounts, `xms_edov` is true (the tenant owns the e-mail's domain)."""
    if "email_verified" in claims:
        return claims["email_verified"] is True
    return claims.get("xms_edov") is True


async def _staff_user(
    db: AsyncSession, client: oidc.OidcClient, result: oidc.TokenResult
) -> tuple[User | None, Refusal | None]:
    """The staff member the admin added: by bound `sub`, else by e-mail on first sign-in.

    Binding needs an e-mail the IdP verified: an unverified (or unsaid) one could be
    anybody's, and would hand them the account the admin set up for that address.
    """
    sub = str(result.claims["sub"])
    user = (await db.exec(select(User).where(User.oidc_sub == sub))).first()
    if user is None:
        email = await _verified_email(client, result)
        if email is None:
            log.info("staff e-mail not verified or missing", extra={"event": "oidc_no_email"})
            return None, EMAIL_NOT_CONFIRMED
        user = (
            await db.exec(
                select(User).where(
                    func.lower(col(User.email)) == email.strip().lower(),
                    col(User.oidc_sub).is_(None),
                )
            )
        ).first()
        if user is None or user.role not in STAFF_ROLES:
            return None, NOT_INVITED
        user.oidc_sub = sub
        db.add(user)
        await db.flush()
        log.info("staff identity bound", extra={"event": "oidc_bound", "user_id": user.id})
    if user.role not in STAFF_ROLES or not user.is_active:
        return None, NOT_INVITED
    return user, None


def nsis_level(value: object) -> int:
    """Rank an assurance claim: "substantial", or a URI ending in it (NemLog-in's LoA)."""
    if not isinstance(value, str):
        return 0
    last = value.strip().rstrip("/").replace(":", "/").rsplit("/", 1)[-1].lower()
    return NSIS_RANK.get(last, 0)


async def _invited_youth(
    db: AsyncSession, settings: Settings, claims: dict[str, Any]
) -> tuple[User | None, Refusal | None]:
    if (
        nsis_level(claims.get(settings.citizen_oidc_level_claim))
        < NSIS_RANK[settings.citizen_oidc_min_level]
    ):
        return None, LEVEL_TOO_LOW
    ref = claims.get(settings.citizen_oidc_ref_claim)
    if not isinstance(ref, str) or not ref:
        return None, NOT_INVITED_YOUTH
    row = (
        await db.exec(
            select(User)
            .join(Youth, col(Youth.user_id) == col(User.id))
            .join(YouthIdentityLink, col(YouthIdentityLink.youth_id) == col(Youth.id))
            .where(YouthIdentityLink.ref == ref)
        )
    ).first()
    if row is None or row.role != Role.youth or not row.is_active:
        return None, NOT_INVITED_YOUTH
    return row, None


async def sign_out(
    db: AsyncSession, *, settings: Settings, session_id: str | None, now: datetime
) -> str | None:
    """End this session; returns the IdP's logout address when it began at an IdP."""
    if not session_id:
        return None
    link = await db.get(OidcSessionLink, session_id)
    await end_session(db, session_id=session_id, now=now)
    if link is None:
        return None
    id_token, provider = link.id_token, link.provider
    await db.delete(link)
    await db.flush()
    client = client_for(settings, provider)
    if client is None:
        return None
    try:
        return await oidc.end_session_url(
            client,
            id_token=id_token,
            post_logout_redirect_uri=settings.public_base_url.rstrip("/") + "/",
        )
    except oidc.OidcError:
        # The IdP is down: our session has ended all the same.
        return None
