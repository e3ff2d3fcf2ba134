"""A guide invites a young person: the account, the course, and a single-use link.

The link works once, for 7 days; only the SHA-256 of its token is stored. The token of
a guide's invite is derived from the form's client key with the secret key
(`link_token`), so the "sent" page can show the guide the link to pass on in person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today, in_copenhagen
from app.errors import AppError, Conflict, Forbidden, ValidationFailed
from app.i18n import N_, gettext
from app.models import (
    GuideAssignment,
    Invite,
    ReadinessGroup,
    Role,
    User,
    Youth,
    YouthIdentityLink,
)
from app.notifications.outbox import enqueue
from app.security.tokens import new_token, token_hash
from app.services.admin import municipal_settings
from app.services.client_keys import ClientKey
from app.services.identity.accounts import start_signed_in
from app.services.identity.one_time_codes import parse_address

log = logging.getLogger("trinvis.security")

INVITE_TTL = timedelta(days=7)


class InviteUnusable(AppError):
    status_code = 410
    message = N_("This invitation has run out or was already used. Ask your guide for a new one.")


class InviteForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    birth_date: date
    readiness_group: ReadinessGroup
    phone: str | None = None
    email: str | None = None
    youth_ref: str | None = Field(default=None, max_length=128)
    client_key: ClientKey

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        address = parse_address(value)
        if address is None or address.kind != "phone":
            raise ValueError(N_("Please write a phone number, for example 20 12 34 56."))
        return address.value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        address = parse_address(value)
        if address is None or address.kind != "email":
            raise ValueError(N_("Please write an e-mail address, for example navn@mail.dk."))
        return address.value

    @field_validator("birth_date")
    @classmethod
    def _age(cls, value: date) -> date:
        if not date(1990, 1, 1) <= value <= copenhagen_today():
            raise ValueError(N_("Please check the date of birth."))
        return value


def link_token(secret: str, client_key: str) -> str:
    """The token of the link a guide's invite form made (HMAC of its key, 256 bits)."""
    digest = hmac.new(secret.encode(), f"invite-link:{client_key}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


async def invite_youth(
    db: AsyncSession,
    *,
    actor: User,
    form: InviteForm,
    base_url: str,
    now: datetime,
    link_secret: str | None = None,
) -> Invite:
    """Create the young person, assign them to the inviting guide, and send the link.

    The form's client key makes a resent form return the invite it made. Sent twice at
    the same moment, the second request's insert meets the first one's unique phone,
    e-mail or key (on PostgreSQL it waits for that transaction) and then returns the
    invite the first one committed.
    """
    if actor.role != Role.guide or actor.id is None:
        raise Forbidden()
    existing = await _invite_by_key(db, actor=actor, client_key=form.client_key)
    if existing is not None:
        return existing  # the same form sent twice
    await _refuse_duplicates(db, form)
    try:
        async with db.begin_nested():
            invite, youth_id, token = await _create(
                db, actor=actor, form=form, now=now, link_secret=link_secret
            )
    except IntegrityError:
        existing = await _invite_by_key(db, actor=actor, client_key=form.client_key)
        if existing is not None:
            return existing
        await _refuse_duplicates(db, form)  # someone else registered them meanwhile
        raise
    await enqueue(
        db,
        user_id=invite.user_id,
        kind="auth.invite",
        channel=invite.channel,
        dedupe_key=f"auth.invite:{invite.id}",
        params={"link": f"{base_url.rstrip('/')}/invite/{token}", "guide": actor.first_name},
        urgent=True,
        now=now,
    )
    log.info("youth invited", extra={"event": "invite", "user_id": actor.id, "youth_id": youth_id})
    return invite


async def _invite_by_key(db: AsyncSession, *, actor: User, client_key: str) -> Invite | None:
    """The invite this form made; another guide's key is refused, never handed back."""
    found = (await db.exec(select(Invite).where(Invite.client_key == client_key))).first()
    if found is not None and found.created_by_id != actor.id:
        raise Conflict()
    return found


async def _create(
    db: AsyncSession,
    *,
    actor: User,
    form: InviteForm,
    now: datetime,
    link_secret: str | None = None,
) -> tuple[Invite, int, str]:
    """The account, the course with its first guide period, and the invite (with the young
    person's id and the link's token)."""
    assert actor.id is not None
    person = User(
        role=Role.youth, name=form.name, phone=form.phone, email=form.email, created_at=now
    )
    db.add(person)
    await db.flush()
    assert person.id is not None
    youth = Youth(
        user_id=person.id,
        birth_date=form.birth_date,
        readiness_group=form.readiness_group,
        guide_id=actor.id,
        course_started_on=in_copenhagen(now).date(),
        checkin_cadence_days=(await municipal_settings.current(db)).checkin_cadence_days,
        created_at=now,
    )
    db.add(youth)
    await db.flush()
    assert youth.id is not None
    db.add(
        GuideAssignment(
            youth_id=youth.id, guide_id=actor.id, started_at=now, assigned_by_id=actor.id
        )
    )
    if form.youth_ref:
        db.add(YouthIdentityLink(youth_id=youth.id, ref=form.youth_ref))
    token = link_token(link_secret, form.client_key) if link_secret else new_token()
    invite = Invite(
        user_id=person.id,
        created_by_id=actor.id,
        token_hash=token_hash(token),
        channel="sms" if form.phone else "email",
        client_key=form.client_key,
        created_at=now,
        expires_at=now + INVITE_TTL,
    )
    db.add(invite)
    await db.flush()
    return invite, youth.id, token


async def _refuse_duplicates(db: AsyncSession, form: InviteForm) -> None:
    errors: dict[str, str] = {}
    if not form.phone and not form.email:
        errors["phone"] = gettext("Please write a phone number or an e-mail address.")
    if form.phone and (await db.exec(select(User.id).where(User.phone == form.phone))).first():
        errors["phone"] = gettext("This phone number is already registered.")
    if form.email and (await db.exec(select(User.id).where(User.email == form.email))).first():
        errors["email"] = gettext("This e-mail address is already registered.")
    if (
        form.youth_ref
        and (
            await db.exec(
                select(YouthIdentityLink.id).where(YouthIdentityLink.ref == form.youth_ref)
            )
        ).first()
    ):
        errors["youth_ref"] = gettext("This reference is already used by another young person.")
    if errors:
        raise ValidationFailed(errors, form.model_dump(mode="json"))


async def sent_link(
    db: AsyncSession, *, actor: User, client_key: str, secret: str, base_url: str, now: datetime
) -> str | None:
    """The link of the invite this guide's form made, while it can still be used."""
    invite = (await db.exec(select(Invite).where(Invite.client_key == client_key))).first()
    if invite is None or invite.created_by_id != actor.id:
        return None
    if invite.used_at is not None or invite.expires_at <= now:
        return None
    token = link_token(secret, client_key)
    if token_hash(token) != invite.token_hash:
        return None  # made before links were derived: only its hash exists
    return f"{base_url.rstrip('/')}/invite/{token}"


async def usable_invite(db: AsyncSession, *, token: str, now: datetime) -> tuple[Invite, User]:
    invite = (await db.exec(select(Invite).where(Invite.token_hash == token_hash(token)))).first()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise InviteUnusable()
    person = await db.get(User, invite.user_id)
    if person is None or not person.is_active:
        raise InviteUnusable()
    return invite, person


async def accept_invite(
    db: AsyncSession, *, token: str, ip: str, device_label: str, now: datetime
) -> tuple[User, str]:
    """Use the link once: the young person is signed in on this device."""
    invite, person = await usable_invite(db, token=token, now=now)
    invite.used_at = now
    db.add(invite)
    await db.flush()
    session_token = await start_signed_in(
        db, user=person, method="invite", ip=ip, device_label=device_label, now=now
    )
    return person, session_token
