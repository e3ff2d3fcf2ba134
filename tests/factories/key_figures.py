"""Factories for the key-figure tests: rows with exactly the dates a hand-made data set
needs (the services would plan their own dates), in one team of one municipality."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    CourseEnd,
    CourseEndOutcome,
    CourseStatus,
    Enrollment,
    EnrollmentEnd,
    EnrollmentKind,
    FollowUp,
    GuideAssignment,
    PlanStep,
    ReadinessGroup,
    Role,
    Team,
    User,
    Youth,
)
from app.services.key_figures.period import Period, ScopeKind
from app.services.key_figures.scope import Scope, scope_for
from tests.factories.people import make_team, make_user, make_youth

_keys = itertools.count(1)


@dataclass
class World:
    team: Team
    guide: User
    leader: User

    async def scope_in(self, db: AsyncSession) -> Scope:
        """The team's scope, with the guides it has now."""
        return await scope_for(db, kind=ScopeKind.team, team_id=self.team.id, municipality_id=None)


async def make_world(db: AsyncSession) -> World:
    team = await make_team(db)
    guide = await make_user(db, Role.guide, team_id=team.id)
    leader = await make_user(db, Role.leader, team_id=team.id)
    return World(team, guide, leader)


def period(start: str, end: str, today: str) -> Period:
    return Period(date.fromisoformat(start), date.fromisoformat(end), date.fromisoformat(today))


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A UTC time on `day` (ISO date)."""
    return datetime.combine(date.fromisoformat(day), time(hour, minute), UTC)


async def young(
    db: AsyncSession,
    world: World,
    started: str,
    *,
    guide: User | None = None,
    group: ReadinessGroup = ReadinessGroup.education_ready,
    **fields: object,
) -> Youth:
    """A young person of the world's guide (or `guide`), with no guide history yet."""
    youth = await make_youth(
        db, readiness_group=group, course_started_on=date.fromisoformat(started), **fields
    )
    youth.guide_id = (guide or world.guide).id
    db.add(youth)
    await db.flush()
    return youth


async def end_course(
    db: AsyncSession,
    youth: Youth,
    ended_on: str,
    outcome: CourseEndOutcome,
    enrollment: Enrollment | None = None,
) -> CourseEnd:
    assert youth.id is not None
    youth.status = CourseStatus.ended
    db.add(youth)
    end = CourseEnd(
        youth_id=youth.id,
        enrollment_id=enrollment.id if enrollment else None,
        ended_on=date.fromisoformat(ended_on),
        outcome=outcome,
    )
    db.add(end)
    await db.flush()
    return end


async def enroll(
    db: AsyncSession,
    youth: Youth,
    starts_on: str,
    kind: EnrollmentKind = EnrollmentKind.education,
    *,
    ended_at: datetime | None = None,
    end_reason: EnrollmentEnd | None = None,
) -> Enrollment:
    assert youth.id is not None and youth.guide_id is not None
    enrollment = Enrollment(
        youth_id=youth.id,
        kind=kind,
        place="Fjordby Tekniske Skole",
        starts_on=date.fromisoformat(starts_on),
        created_by_id=youth.guide_id,
        ended_at=ended_at,
        end_reason=end_reason,
        client_key=f"kf-start-{next(_keys)}",
    )
    db.add(enrollment)
    await db.flush()
    return enrollment


async def steps(db: AsyncSession, youth: Youth, count: int, *, deleted: int = 0) -> None:
    assert youth.id is not None and youth.guide_id is not None
    for n in range(count + deleted):
        db.add(
            PlanStep(
                youth_id=youth.id,
                title=f"Trin {n}",
                position=n,
                created_by_id=youth.guide_id,
                deleted_at=at("2026-01-02") if n >= count else None,
            )
        )
    await db.flush()


async def follow_up(
    db: AsyncSession,
    enrollment: Enrollment,
    due_on: str,
    *,
    answered: bool = False,
    handled_at: datetime | None = None,
    cancelled: bool = False,
) -> FollowUp:
    assert enrollment.id is not None
    row = FollowUp(
        enrollment_id=enrollment.id,
        youth_id=enrollment.youth_id,
        sequence=next(_keys),
        due_on=date.fromisoformat(due_on),
        due_at=at(due_on, 8),
        answered_at=at(due_on, 12) if answered else None,
        handled_at=handled_at,
        cancelled_at=at(due_on, 7) if cancelled else None,
    )
    db.add(row)
    await db.flush()
    return row


async def assign(
    db: AsyncSession, youth: Youth, guide: User, started_at: datetime, ended_at: datetime | None
) -> None:
    assert youth.id is not None and guide.id is not None
    db.add(
        GuideAssignment(
            youth_id=youth.id, guide_id=guide.id, started_at=started_at, ended_at=ended_at
        )
    )
    await db.flush()
