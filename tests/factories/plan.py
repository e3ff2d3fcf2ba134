"""Builders for the plan area's tests: a young person with a step, an appointment, a
note and an agenda item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AgendaItem, Appointment, Note, PlanStep, User, Youth
from app.services.client_keys import new_client_key
from tests.factories.people import T0, make_user, make_youth, user_of


@dataclass
class Course:
    guide: User
    youth: Youth
    person: User
    step: PlanStep
    appointment: Appointment
    note: Note
    item: AgendaItem


async def make_course(db: AsyncSession, *, guide: User | None = None) -> Course:
    guide = guide or await make_user(db)
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    assert youth.id is not None and guide.id is not None
    step = PlanStep(youth_id=youth.id, title="Ring til skolen", created_by_id=guide.id)
    appointment = Appointment(
        youth_id=youth.id,
        guide_id=guide.id,
        starts_at=T0 + timedelta(days=90),
        topic="Status på planen",
        place="Ungehuset",
        client_key=new_client_key(),
    )
    note = Note(
        youth_id=youth.id, author_id=guide.id, body="Godt møde", client_key=new_client_key()
    )
    item = AgendaItem(youth_id=youth.id, text="Praktik", client_key=new_client_key())
    for row in (step, appointment, note, item):
        db.add(row)
    await db.flush()
    return Course(guide, youth, person, step, appointment, note, item)
