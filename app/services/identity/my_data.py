"""A person's own devices: where they are signed in, and signing out.

Who has seen the young person's data and their whole record (the export) are in the
privacy area: `app/services/privacy/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import User, UserSession
from app.security.sessions import end_all_sessions, end_session


@dataclass(frozen=True)
class Device:
    session: UserSession
    current: bool


async def devices(
    db: AsyncSession, *, actor: User, current_session_id: str | None, now: datetime
) -> list[Device]:
    """The devices where this person is signed in right now, the newest use first."""
    rows = (
        await db.exec(
            select(UserSession)
            .where(
                UserSession.user_id == actor.id,
                col(UserSession.ended_at).is_(None),
                col(UserSession.absolute_expires_at) > now,
            )
            .order_by(col(UserSession.last_seen_at).desc())
        )
    ).all()
    live = [s for s in rows if s.last_seen_at + timedelta(seconds=s.idle_timeout_seconds) > now]
    return [Device(session=s, current=s.id == current_session_id) for s in live]


async def sign_out_device(db: AsyncSession, *, actor: User, session_id: str, now: datetime) -> None:
    """End one of one's own sessions; anyone else's is NotFound."""
    session = await db.get(UserSession, session_id)
    if session is None or session.user_id != actor.id:
        raise NotFound()
    await end_session(db, session_id=session_id, now=now)


async def sign_out_everywhere(db: AsyncSession, *, actor: User, now: datetime) -> None:
    assert actor.id is not None
    await end_all_sessions(db, user_id=actor.id, now=now)
