"""Demo plans: every young person gets 3-9 realistic steps toward their goal (some done),
appointments with their guide (past and coming up), a few notes, and for some an agenda.
Deterministic from the demo's `rng`; dates follow the day the demo is loaded."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time, copenhagen_today, next_working_day
from app.demo.world import DemoWorld
from app.models import (
    AgendaItem,
    Appointment,
    AppointmentStatus,
    Note,
    NoteReply,
    PlaceKind,
    PlanEvent,
    PlanStep,
    StepStatus,
    User,
    Youth,
    YouthResponse,
)

Step = tuple[str, str | None]

FIRST_STEPS: list[Step] = [
    ("Fortæl din ungeguide, hvad du gerne vil", "Vi tager det i dit tempo."),
    ("Lav en ugeplan med faste tider at stå op", "Start med tre dage om ugen."),
    ("Få styr på MitID og e-Boks", "Vi kan gøre det sammen på kontoret."),
    ("Gå en tur hver dag i en uge", None),
    ("Book en tid hos lægen", "Hvis du vil, kan din ungeguide tage med."),
]
BY_GOAL: dict[str, list[Step]] = {
    "EUD": [
        ("Besøg erhvervsskolen på åbent hus", None),
        ("Tal med en studievejleder om grundforløbet", None),
        ("Prøv en brobygningsdag på værkstedet", "Tag arbejdstøj med."),
        ("Søg ind på grundforløbet via optagelse.dk", None),
        ("Find en praktikplads på praktikpladsen.dk", None),
    ],
    "gymnasie": [
        ("Tjek optagelseskravene", None),
        ("Besøg skolen og hør om fagene", None),
        ("Aftal en samtale med studievejlederen", None),
        ("Søg ind via optagelse.dk", "Fristen er 1. marts."),
    ],
    "job": [
        ("Lav et CV sammen med din ungeguide", None),
        ("Skriv en kort ansøgning", None),
        ("Søg tre jobs i denne uge", None),
        ("Tag på virksomhedspraktik i to uger", None),
        ("Tag truckcertifikat", "Kurset betales af jobcentret."),
    ],
    "FGU": [
        ("Besøg FGU-skolen", None),
        ("Aftal en prøvedag på FGU", None),
        ("Start på erhvervsgrunduddannelsen", None),
    ],
    "omsorg": [
        ("Besøg SOSU-skolen", None),
        ("Prøv en praktikdag på et plejecenter", None),
        ("Tal med en studievejleder om optagelse", None),
        ("Søg ind på grundforløbet", None),
    ],
}
TOPICS = [
    "Status på planen og næste skridt",
    "Trivselssamtale",
    "Besøg på skolen sammen",
    "Snak om praktik",
    "Opfølgning på ugeplanen",
    "Gennemgang af CV",
]
PLACES = ["Ungehuset, Havnegade 12", "Jobcentret, Torvet 3", "Café Bønnen, Algade 8"]
NOTES = [
    "Godt møde i dag. Vi aftalte, at du ringer til skolen inden fredag. Skriv, hvis du "
    "vil have hjælp til, hvad du skal sige.",
    "Du fortalte, at morgenerne er svære. Vi prøver med faste tider tre dage om ugen og "
    "ser på det igen næste gang.",
    "Vi besøgte værkstedet sammen. Du virkede glad for dagen, og faglæreren vil gerne "
    "have dig på en prøvedag.",
    "Vi gennemgik dit CV. Det mangler kun din erfaring fra sommerjobbet.",
]
REPLIES = ["Tak! Det vil jeg gerne.", "Ja, det var en god dag.", "Kan vi tale om det næste gang?"]
AGENDA = [
    "Jeg er nervøs for første skoledag",
    "Kan du hjælpe mig med at søge om SU?",
    "Jeg vil gerne tale om min praktik",
    "Jeg sover dårligt for tiden",
]


def _goal_kind(destination: str | None) -> str:
    text = destination or ""
    if "FGU" in text:
        return "FGU"
    if any(word in text for word in ("SOSU", "PAU")):
        return "omsorg"
    if any(word in text for word in ("HF", "STX", "HHX")):
        return "gymnasie"
    if "EUD" in text:
        return "EUD"
    return "job"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A working-day time in Copenhagen, stored in UTC."""
    return at_copenhagen_time(next_working_day(day), time(hour, minute)).astimezone(UTC)


def _key(rng: random.Random) -> str:
    return f"demo{rng.getrandbits(96):024x}"


async def add(db: AsyncSession, world: DemoWorld, rng: random.Random, now: datetime) -> None:
    for index, (youth, person) in enumerate(world.youths):
        assert youth.id is not None and youth.guide_id is not None and person.id is not None
        if index == 0 and not youth.destination:
            # The first demo person shows the whole path, goal included.
            youth.destination = "Tømrer (EUD)"
            db.add(youth)
        started = datetime.combine(youth.course_started_on, time(9), tzinfo=UTC)
        await _steps(db, youth, person, rng, now, started, rich=index == 0)
        await _appointments(db, youth, rng, now, started, rich=index == 0)
        await _notes(db, youth, person, rng, started, now)
        if index == 0 or rng.random() < 0.4:
            for text in rng.sample(AGENDA, 1 if index else 2):
                db.add(
                    AgendaItem(
                        youth_id=youth.id,
                        text=text,
                        client_key=_key(rng),
                        created_at=now - timedelta(days=rng.randint(0, 5)),
                    )
                )
    await db.flush()


async def _steps(
    db: AsyncSession,
    youth: Youth,
    person: User,
    rng: random.Random,
    now: datetime,
    started: datetime,
    *,
    rich: bool,
) -> None:
    assert youth.id is not None and youth.guide_id is not None and person.id is not None
    specific = BY_GOAL[_goal_kind(youth.destination)]
    count = 7 if rich else rng.randint(3, 9)
    first = rng.sample(FIRST_STEPS, k=min(len(FIRST_STEPS), max(1, count - len(specific))))
    chosen = (first + specific)[:count]
    elapsed = max(1, (now - started).days)
    done = (
        2 if rich else min(count - 1, int(count * min(1.0, elapsed / 182) * rng.uniform(0.3, 0.9)))
    )
    made: list[tuple[PlanStep, datetime, datetime | None]] = []
    for position, (title, description) in enumerate(chosen):
        created = started + timedelta(days=position * 2, hours=rng.randint(0, 5))
        by_youth = position == count - 1 and rng.random() < 0.3
        status = StepStatus.done if position < done else StepStatus.todo
        if position == done and rng.random() < 0.6:
            status = StepStatus.doing
        done_at = (
            created + (now - created) * (position + 1) / (done + 1) if position < done else None
        )
        due = position >= done and rng.random() < 0.6
        due_on = copenhagen_today(now + timedelta(days=7 * (position - done + 1)))
        step = PlanStep(
            youth_id=youth.id,
            title=title,
            description=description,
            due_on=due_on if due else None,
            status=status,
            position=position,
            created_by_id=person.id if by_youth else youth.guide_id,
            created_at=created,
            updated_at=done_at or created,
            done_at=done_at,
            version=2 if done_at else 1,
            client_key=_key(rng),
        )
        db.add(step)
        made.append((step, created, done_at))
    await db.flush()
    _step_history(db, youth, person, rng, made, started)


def _step_history(
    db: AsyncSession,
    youth: Youth,
    person: User,
    rng: random.Random,
    made: list[tuple[PlanStep, datetime, datetime | None]],
    started: datetime,
) -> None:
    """The plan history of the demo steps: who added each, who marked it done, the goal."""
    assert youth.id is not None and youth.guide_id is not None and person.id is not None
    for step, created, done_at in made:
        db.add(
            PlanEvent(
                youth_id=youth.id,
                step_id=step.id,
                actor_id=step.created_by_id,
                action="step.added",
                detail=step.title,
                at=created,
            )
        )
        if done_at is not None:
            actor = person.id if rng.random() < 0.7 else youth.guide_id
            db.add(
                PlanEvent(
                    youth_id=youth.id,
                    step_id=step.id,
                    actor_id=actor,
                    action="step.status",
                    detail=f"done:{step.title}",
                    at=done_at,
                )
            )
    if youth.destination:
        db.add(
            PlanEvent(
                youth_id=youth.id,
                actor_id=youth.guide_id,
                action="plan.destination",
                detail=youth.destination,
                at=started + timedelta(days=1),
            )
        )


async def _appointments(
    db: AsyncSession,
    youth: Youth,
    rng: random.Random,
    now: datetime,
    started: datetime,
    *,
    rich: bool,
) -> None:
    assert youth.id is not None and youth.guide_id is not None
    day = started.date() + timedelta(days=2)
    upcoming = 0
    while upcoming < (2 if rich else rng.randint(1, 2)):
        starts_at = _at(day, rng.choice([9, 10, 11, 13, 14]), rng.choice([0, 30]))
        past = starts_at < now
        kind = rng.choices(list(PlaceKind), weights=[6, 2, 2])[0]
        cancelled = past and rng.random() < 0.1
        db.add(
            Appointment(
                youth_id=youth.id,
                guide_id=youth.guide_id,
                starts_at=starts_at,
                duration_minutes=rng.choice([30, 45, 60]),
                place_kind=kind,
                place=rng.choice(PLACES) if kind == PlaceKind.place else None,
                topic=rng.choice(TOPICS),
                status=AppointmentStatus.cancelled if cancelled else AppointmentStatus.planned,
                youth_response=YouthResponse.confirmed
                if past or rng.random() < 0.5
                else YouthResponse.none,
                version=2 if cancelled else 1,
                client_key=_key(rng),
                created_at=min(now, starts_at - timedelta(days=7)),
                updated_at=min(now, starts_at - timedelta(days=7)),
            )
        )
        if not past:
            upcoming += 1
        day += timedelta(days=rng.randint(14, 24) if past else rng.randint(5, 12))
        if day < now.date() and (now.date() - day).days < 3:
            day = now.date() + timedelta(days=rng.randint(1, 6))


async def _notes(
    db: AsyncSession,
    youth: Youth,
    person: User,
    rng: random.Random,
    started: datetime,
    now: datetime,
) -> None:
    assert youth.id is not None and youth.guide_id is not None and person.id is not None
    notes = []
    for number in range(rng.randint(1, 3)):
        written = started + (now - started) * (number + 1) / 4
        note = Note(
            youth_id=youth.id,
            author_id=youth.guide_id,
            body=rng.choice(NOTES),
            shared=rng.random() < 0.85,
            client_key=_key(rng),
            created_at=written,
        )
        db.add(note)
        notes.append(note)
    await db.flush()
    for note in notes:
        assert note.id is not None
        if note.shared and rng.random() < 0.4:
            db.add(
                NoteReply(
                    note_id=note.id,
                    author_id=person.id,
                    body=rng.choice(REPLIES),
                    client_key=_key(rng),
                    created_at=note.created_at + timedelta(hours=rng.randint(2, 30)),
                )
            )
