"""Passkeys (WebAuthn): sign in on one's own phone without waiting for a code.

The challenge is kept server-side (`AuthChallenge`) and bound to the browser by a cookie.
Passkeys are discoverable, so signing in needs no name or number first.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.errors import AppError, NotFound
from app.i18n import N_
from app.models import Passkey, Role, User
from app.security import challenges
from app.security.rate_limit import check_rate
from app.services.identity.accounts import start_signed_in
from app.settings import Settings

log = logging.getLogger("trinvis.security")

REGISTER = "passkey.register"
SIGN_IN = "passkey.sign_in"
OPTIONS_PER_IP = (30, timedelta(minutes=15))


class PasskeyFailed(AppError):
    status_code = 400
    message = N_("That did not work. Please try again, or sign in with a code.")


class PasskeyNotAdded(PasskeyFailed):
    """Adding a passkey failed: the person is already signed in, so no talk of codes."""

    message = N_("That did not work. Please try again.")


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str

    @classmethod
    def of(cls, settings: Settings) -> RelyingParty:
        parts = urlsplit(settings.public_base_url)
        return cls(id=parts.hostname or "localhost", origin=f"{parts.scheme}://{parts.netloc}")


async def registration_options(
    db: AsyncSession, *, actor: User, settings: Settings, now: datetime
) -> tuple[str, dict[str, Any]]:
    """Options for navigator.credentials.create, and the cookie token for the challenge."""
    assert actor.id is not None
    existing = (
        await db.exec(select(Passkey.credential_id).where(Passkey.user_id == actor.id))
    ).all()
    options = generate_registration_options(
        rp_id=RelyingParty.of(settings).id,
        rp_name="Trinvis",
        user_id=f"trinvis-user-{actor.id}".encode(),
        user_name=actor.email or actor.phone or actor.name,
        user_display_name=actor.name,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid)) for cid in existing
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    token = await challenges.open_challenge(
        db,
        purpose=REGISTER,
        user_id=actor.id,
        data={"challenge": bytes_to_base64url(options.challenge)},
        now=now,
    )
    return token, json.loads(options_to_json(options))


async def register(
    db: AsyncSession,
    *,
    actor: User,
    settings: Settings,
    flow_token: str | None,
    credential: dict[str, Any],
    label: str,
    now: datetime,
) -> Passkey:
    challenge = await challenges.take_challenge(db, token=flow_token, purposes=(REGISTER,), now=now)
    if challenge is None or challenge.user_id != actor.id:
        raise PasskeyNotAdded()
    rp = RelyingParty.of(settings)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenges.data_of(challenge)["challenge"]),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        log.warning(
            "passkey refused",
            extra={"event": "passkey_refused", "user_id": actor.id, "reason": type(exc).__name__},
        )
        raise PasskeyNotAdded() from exc
    assert actor.id is not None
    passkey = Passkey(
        user_id=actor.id,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        label=label[:120],
        created_at=now,
    )
    db.add(passkey)
    await db.flush()
    log.info("passkey added", extra={"event": "passkey_added", "user_id": actor.id})
    return passkey


async def sign_in_options(
    db: AsyncSession, *, settings: Settings, ip: str, now: datetime
) -> tuple[str, dict[str, Any]]:
    await check_rate(
        db, key=f"passkey-ip:{ip}", limit=OPTIONS_PER_IP[0], window=OPTIONS_PER_IP[1], now=now
    )
    options = generate_authentication_options(
        rp_id=RelyingParty.of(settings).id,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    token = await challenges.open_challenge(
        db, purpose=SIGN_IN, data={"challenge": bytes_to_base64url(options.challenge)}, now=now
    )
    return token, json.loads(options_to_json(options))


async def sign_in(
    db: AsyncSession,
    *,
    settings: Settings,
    flow_token: str | None,
    credential: dict[str, Any],
    ip: str,
    device_label: str,
    now: datetime,
) -> tuple[User, str]:
    challenge = await challenges.take_challenge(db, token=flow_token, purposes=(SIGN_IN,), now=now)
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    passkey = None
    if isinstance(credential_id, str):
        passkey = (
            await db.exec(select(Passkey).where(Passkey.credential_id == credential_id))
        ).first()
    user = await db.get(User, passkey.user_id) if passkey else None
    # Staff sign in through the municipality's IdP only, so leaving it ends their access.
    if (
        challenge is None
        or passkey is None
        or user is None
        or not user.is_active
        or user.role != Role.youth
    ):
        _refused(ip, user, "unknown passkey or challenge")
        raise PasskeyFailed()
    rp = RelyingParty.of(settings)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenges.data_of(challenge)["challenge"]),
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        _refused(ip, user, type(exc).__name__)
        raise PasskeyFailed() from exc
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    db.add(passkey)
    token = await start_signed_in(
        db, user=user, method="passkey", ip=ip, device_label=device_label, now=now
    )
    return user, token


def _refused(ip: str, user: User | None, reason: str) -> None:
    log.warning(
        "sign-in refused",
        extra={
            "event": "sign_in_failed",
            "method": "passkey",
            "user_id": user.id if user else None,
            "reason": reason,
            "ip": ip,
        },
    )


async def my_passkeys(db: AsyncSession, *, actor: User) -> list[Passkey]:
    return list(
        (
            await db.exec(
                select(Passkey).where(Passkey.user_id == actor.id).order_by(col(Passkey.id))
            )
        ).all()
    )


async def remove(db: AsyncSession, *, actor: User, passkey_id: int) -> None:
    """Remove one of one's own passkeys; someone else's is NotFound."""
    passkey = await db.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != actor.id:
        raise NotFound()
    await db.delete(passkey)
    await db.flush()
    log.info("passkey removed", extra={"event": "passkey_removed", "user_id": actor.id})
