from collections import Counter

from sqlmodel import func, select

from app.demo import load_demo_data
from app.models import GuideAssignment, ReadinessGroup, Role, Team, User, Youth
from tests.factories.people import T0


async def test_demo_has_every_role_and_forty_young_people_in_all_groups(db):
    assert await load_demo_data(db, now=T0)
    roles = Counter((await db.exec(select(User.role))).all())
    assert roles == {Role.youth: 40, Role.guide: 3, Role.leader: 1, Role.admin: 1}
    assert (await db.exec(select(func.count()).select_from(Team))).one() == 2
    groups = set((await db.exec(select(Youth.readiness_group))).all())
    assert groups == set(ReadinessGroup)


async def test_loading_the_demo_twice_adds_nothing(db):
    assert await load_demo_data(db, now=T0)
    assert not await load_demo_data(db, now=T0)
    assert (await db.exec(select(func.count()).select_from(Youth))).one() == 40


async def test_demo_is_the_same_every_time(db):
    await load_demo_data(db, now=T0)
    first = (await db.exec(select(User.name).order_by(User.id))).all()
    await db.rollback()
    await load_demo_data(db, now=T0)
    second = (await db.exec(select(User.name).order_by(User.id))).all()
    assert first == second


async def test_demo_has_half_a_year_of_history_and_some_changes_of_guide(db):
    await load_demo_data(db, now=T0)
    starts = (await db.exec(select(Youth.course_started_on))).all()
    assert (T0.date() - min(starts)).days >= 150
    per_youth = Counter((await db.exec(select(GuideAssignment.youth_id))).all())
    assert any(count > 1 for count in per_youth.values())


async def test_demo_young_people_can_see_who_has_seen_their_data(db):
    from app.models import AuditRecord

    await load_demo_data(db, now=T0)
    records = (await db.exec(select(AuditRecord))).all()
    assert len({r.youth_id for r in records}) == 40
    assert any(r.via == "cover" for r in records)
    assert (T0 - min(r.at for r in records)).days >= 120  # months of history


async def test_every_demo_young_person_has_a_plan_with_steps_appointments_and_notes(db):
    from app.models import Appointment, Note, PlanStep, StepStatus

    await load_demo_data(db, now=T0)
    steps = Counter((await db.exec(select(PlanStep.youth_id))).all())
    youth_ids = (await db.exec(select(Youth.id))).all()
    assert set(steps) == set(youth_ids)
    assert all(3 <= n <= 9 for n in steps.values())
    assert (await db.exec(select(func.count()).where(PlanStep.status == StepStatus.done))).one() > 0
    starts = (await db.exec(select(Appointment.starts_at))).all()
    assert any(s < T0 for s in starts) and any(s > T0 for s in starts)
    assert (await db.exec(select(func.count()).select_from(Note))).one() >= len(youth_ids)


async def test_demo_conversations_are_stored_in_the_order_they_were_written(db):
    """A conversation is shown in the order messages were stored; the demo's must read in
    time order (follow-up answers and guide changes once landed above older messages)."""
    from app.models import Message

    await load_demo_data(db, now=T0)
    rows = (await db.exec(select(Message.youth_id, Message.sent_at).order_by(Message.id))).all()
    last_seen: dict[int, object] = {}
    out_of_order = []
    for youth_id, sent_at in rows:
        if youth_id in last_seen and sent_at < last_seen[youth_id]:
            out_of_order.append((youth_id, sent_at))
        last_seen[youth_id] = sent_at
    assert not out_of_order
