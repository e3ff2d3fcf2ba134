"""Signing in and out, and a person's own preferences."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, NotFound
from app.i18n import N_, normalise_locale
from app.models import Role, User
from app.security import sessions

log = logging.getLogger("trinvis.security")

DEMO_ROLE_ORDER = (Role.youth, Role.guide, Role.leader, Role.admin)


async def demo_accounts(db: AsyncSession) -> list[User]:
    """The demo sign-ins shown on the login page: the first young people and all staff
    who can still sign in (a deactivated guide is not offered)."""
    active = col(User.is_active).is_(True)
    staff = (
        await db.exec(
            select(User).where(col(User.role) != Role.youth, active).order_by(col(User.id))
        )
    ).all()
    youth = (
        await db.exec(
            select(User).where(User.role == Role.youth, active).order_by(col(User.id)).limit(3)
        )
    ).all()
    order = {role: index for index, role in enumerate(DEMO_ROLE_ORDER)}
    return sorted([*youth, *staff], key=lambda u: (order[Role(u.role)], u.id or 0))


async def demo_sign_in(
    db: AsyncSession, *, demo_mode: bool, user_id: int, now: datetime, device_label: str
) -> tuple[User, str]:
    """Sign in as a demo person; only possible while the app runs in demo mode."""
    if not demo_mode:
        raise Forbidden(N_("Demo sign-in is switched off."))
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound()
    if not user.is_active:  # e.g. the page was opened before an admin deactivated them
        raise Forbidden(N_("This person has been deactivated and can no longer sign in."))
    token = await sessions.start_session(db, user=user, now=now, device_label=device_label)
    log.info("signed in", extra={"event": "sign_in", "method": "demo", "user_id": user.id})
    return user, token


async def start_signed_in(
    db: AsyncSession, *, user: User, method: str, ip: str, device_label: str, now: datetime
) -> str:
    """Start a new session for `user` after any sign-in method, and log it (ids only)."""
    token = await sessions.start_session(db, user=user, now=now, device_label=device_label)
    log.info(
        "signed in", extra={"event": "sign_in", "method": method, "user_id": user.id, "ip": ip}
    )
    return token


async def sign_out(db: AsyncSession, *, session_id: str | None, now: datetime) -> None:
    if session_id:
        await sessions.end_session(db, session_id=session_id, now=now)


async def set_locale(db: AsyncSession, *, actor: User | None, locale: str) -> str:
    chosen = normalise_locale(locale)
    if chosen is None:
        raise NotFound()
    if actor is not None:
        actor.locale = chosen
        db.add(actor)
        await db.flush()
    return chosen
