"""Factories: build the people and courses a test needs, with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    Cover,
    GuideAssignment,
    Municipality,
    ReadinessGroup,
    Role,
    Team,
    User,
    Youth,
)
from app.security.sessions import cookie_name, start_session
from app.settings import Settings

_counter = itertools.count(1)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def make_team(db: AsyncSession, name: str | None = None) -> Team:
    n = next(_counter)
    municipality = Municipality(name=f"Testkommune {n}")
    db.add(municipality)
    await db.flush()
    assert municipality.id is not None
    team = Team(municipality_id=municipality.id, name=name or f"Team {n}")
    db.add(team)
    await db.flush()
    return team


async def make_user(
    db: AsyncSession, role: Role = Role.guide, *, name: str | None = None, **fields: object
) -> User:
    n = next(_counter)
    user = User(
        role=role,
        name=name or f"{role.value.title()} Testesen {n}",
        email=fields.pop("email", f"{role.value}{n}@test.example"),
        **fields,  # type: ignore[arg-type]
    )
    db.add(user)
    await db.flush()
    return user


async def make_youth(
    db: AsyncSession,
    *,
    guide: User | None = None,
    name: str | None = None,
    readiness_group: ReadinessGroup = ReadinessGroup.education_ready,
    **fields: object,
) -> Youth:
    n = next(_counter)
    person = await make_user(
        db, Role.youth, name=name or f"Ung Testesen {n}", phone=f"+4530{n:06d}"
    )
    assert person.id is not None
    youth = Youth(
        user_id=person.id,
        birth_date=fields.pop("birth_date", date(2006, 5, 17)),
        readiness_group=readiness_group,
        guide_id=guide.id if guide else None,
        course_started_on=fields.pop("course_started_on", T0.date()),
        **fields,  # type: ignore[arg-type]
    )
    db.add(youth)
    await db.flush()
    if guide is not None:
        assert youth.id is not None and guide.id is not None
        db.add(GuideAssignment(youth_id=youth.id, guide_id=guide.id, started_at=T0))
        await db.flush()
    return youth


async def make_cover(
    db: AsyncSession, *, absent: User, covering: User, starts_at: datetime, ends_at: datetime
) -> Cover:
    assert absent.id and covering.id
    cover = Cover(
        absent_guide_id=absent.id,
        covering_guide_id=covering.id,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=covering.id,
    )
    db.add(cover)
    await db.flush()
    return cover


async def user_of(db: AsyncSession, youth: Youth) -> User:
    user = await db.get(User, youth.user_id)
    assert user is not None
    return user


async def sign_in(
    client: httpx.AsyncClient, db: AsyncSession, user: User, settings: Settings, now: datetime
) -> None:
    """Give the client a session cookie for `user`, and a CSRF cookie for its forms."""
    token = await start_session(db, user=user, now=now)
    client.cookies.set(cookie_name(settings), token)
    await ensure_csrf(client)


async def ensure_csrf(client: httpx.AsyncClient) -> str:
    if "trinvis_csrf" not in client.cookies:
        await client.get("/offline")
    token = client.cookies["trinvis_csrf"]
    client.headers["X-CSRF-Token"] = token
    return token
