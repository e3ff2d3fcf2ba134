"""The municipality, its staff and its young people, with half a year of history."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.demo.world import DemoWorld
from app.models import (
    CourseStatus,
    GuideAssignment,
    Municipality,
    ReadinessGroup,
    Role,
    Team,
    User,
    Youth,
)
from app.services.admin import municipal_settings

YOUTH_COUNT = 40

FIRST_NAMES = [
    "Sara",
    "Mikkel",
    "Emma",
    "Jonas",
    "Freja",
    "Oliver",
    "Ida",
    "Lucas",
    "Laura",
    "Noah",
    "Clara",
    "William",
    "Alma",
    "Elias",
    "Josefine",
    "Malthe",
    "Nanna",
    "Frederik",
    "Sofie",
    "Magnus",
    "Amalie",
    "Victor",
    "Mathilde",
    "Emil",
    "Asta",
    "Oscar",
    "Karla",
    "Aksel",
    "Signe",
    "Anton",
    "Yasmin",
    "Ali",
    "Zainab",
    "Omar",
    "Maja",
    "Tobias",
    "Liva",
    "Sebastian",
    "Cecilie",
    "Rasmus",
]
LAST_NAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Hussein",
    "Yilmaz",
    "Ahmadi",
]
DESTINATIONS = [
    "Social- og sundhedshjælper (SOSU)",
    "Tømrer (EUD)",
    "HF på VUC",
    "Frisør (EUD)",
    "Job i detailhandlen",
    "Kok (EUD)",
    "STX-gymnasiet",
    "Elektriker (EUD)",
    "Pædagogisk assistent (PAU)",
    "Lagerjob med truckcertifikat",
    "FGU, erhvervsgrunduddannelse",
    "Ufaglært job i byggeriet",
    "Datatekniker (EUD)",
    "HHX",
]
# The largest group on education benefit is "aktivitetsparat" (DESIGN.md).
GROUP_WEIGHTS = {
    ReadinessGroup.activity_ready: 0.5,
    ReadinessGroup.education_ready: 0.35,
    ReadinessGroup.obviously_ready: 0.15,
}


async def _add(db: AsyncSession, row: object) -> None:
    db.add(row)
    await db.flush()


async def add(db: AsyncSession, *, rng: random.Random, now: datetime) -> DemoWorld:
    municipality = Municipality(name="Fjordby Kommune")
    await _add(db, municipality)
    assert municipality.id is not None
    teams = [
        Team(municipality_id=municipality.id, name="Ungeteam Nord"),
        Team(municipality_id=municipality.id, name="Ungeteam Syd"),
    ]
    for team in teams:
        await _add(db, team)

    def staff(name: str, role: Role, email: str, team: Team | None) -> User:
        return User(
            role=role, name=name, email=email, team_id=team.id if team else None, created_at=now
        )

    guides = [
        staff("Camilla Holm", Role.guide, "camilla.holm@fjordby.example", teams[0]),
        staff("Mads Kjær", Role.guide, "mads.kjaer@fjordby.example", teams[0]),
        staff("Aisha Rahimi", Role.guide, "aisha.rahimi@fjordby.example", teams[1]),
    ]
    leader = staff("Henrik Lund", Role.leader, "henrik.lund@fjordby.example", teams[0])
    admin = staff("Lone Bak", Role.admin, "lone.bak@fjordby.example", None)
    for person in [*guides, leader, admin]:
        await _add(db, person)
    world = DemoWorld(municipality, teams, guides, leader, admin)

    groups = list(GROUP_WEIGHTS)
    weights = list(GROUP_WEIGHTS.values())
    for index in range(YOUTH_COUNT):
        world.youths.append(
            await _add_youth(db, world, index, rng.choices(groups, weights)[0], rng, now)
        )
    return world


async def _add_youth(
    db: AsyncSession,
    world: DemoWorld,
    index: int,
    group: ReadinessGroup,
    rng: random.Random,
    now: datetime,
) -> tuple[Youth, User]:
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = rng.choice(LAST_NAMES)
    person = User(
        role=Role.youth,
        name=f"{first} {last}",
        phone=f"+4520{index:06d}",
        email=f"{first.lower()}.{index}@ung.fjordby.example",
        created_at=now,
    )
    await _add(db, person)
    assert person.id is not None
    started_days_ago = rng.randint(20, 182)
    course_start = now - timedelta(days=started_days_ago)
    guide = world.guides[index % len(world.guides)]
    youth = Youth(
        user_id=person.id,
        birth_date=date(now.year - rng.randint(16, 28), rng.randint(1, 12), rng.randint(1, 28)),
        readiness_group=group,
        status=CourseStatus.in_course,
        destination=rng.choice(DESTINATIONS) if rng.random() < 0.75 else None,
        guide_id=guide.id,
        course_started_on=course_start.date(),
        checkin_cadence_days=(await municipal_settings.current(db)).checkin_cadence_days,
        consent_at=course_start,
        created_at=course_start,
    )
    await _add(db, youth)
    assert youth.id is not None and guide.id is not None
    await _add_guide_history(db, world, youth.id, guide, course_start, rng, now)
    return youth, person


async def _add_guide_history(
    db: AsyncSession,
    world: DemoWorld,
    youth_id: int,
    guide: User,
    course_start: datetime,
    rng: random.Random,
    now: datetime,
) -> None:
    """Most keep one guide; about one in six had a change of contact person."""
    assert guide.id is not None
    start = course_start
    if rng.random() < 0.17:
        earlier = rng.choice([g for g in world.guides if g.id != guide.id])
        assert earlier.id is not None
        changed = course_start + (now - course_start) / 2
        await _add(
            db,
            GuideAssignment(
                youth_id=youth_id,
                guide_id=earlier.id,
                started_at=start,
                ended_at=changed,
                assigned_by_id=world.leader.id,
            ),
        )
        start = changed
    await _add(
        db,
        GuideAssignment(
            youth_id=youth_id, guide_id=guide.id, started_at=start, assigned_by_id=world.leader.id
        ),
    )
