"""The first page a newly invited young person sees: what Trinvis is for, and who their
guide is (with the short privacy notice beside it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Role, User, UserSession
from app.services.privacy.record import own_person


@dataclass(frozen=True)
class Welcome:
    me: User
    guide: User | None


async def welcome(db: AsyncSession, *, actor: User) -> Welcome:
    person = await own_person(db, actor=actor)
    guide = await db.get(User, person.youth.guide_id) if person.youth.guide_id else None
    return Welcome(me=actor, guide=guide)


async def first_sign_in(db: AsyncSession, *, user: User) -> bool:
    """A young person's first session ever (the one just started): time for the welcome."""
    if user.role != Role.youth:
        return False
    sessions = await db.exec(
        select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    )
    return sessions.one() == 1
