"""The demo shows the workspace as a team would meet it: a cover running now, and
handover notes on the earlier changes of guide."""

from sqlmodel import col, select

from app.demo import load_demo_data
from app.models import Cover, GuideAssignment, Handover, User
from app.services.workspace.caseload import guide_caseload
from tests.factories.people import T0


async def test_demo_has_a_cover_running_now_and_notes_on_every_change_of_guide(db):
    await load_demo_data(db, now=T0)
    active = (
        await db.exec(select(Cover).where(col(Cover.starts_at) <= T0, col(Cover.ends_at) > T0))
    ).all()
    assert len(active) == 1
    covering = await db.get(User, active[0].covering_guide_id)
    load = await guide_caseload(db, actor=covering, now=T0)
    assert load.sections[1].covering_for.id == active[0].absent_guide_id
    assert load.sections[1].rows
    changes = (
        await db.exec(select(GuideAssignment).where(col(GuideAssignment.ended_at).is_not(None)))
    ).all()
    handovers = (await db.exec(select(Handover))).all()
    assert changes and len(handovers) == len(changes)
    noted = (
        await db.exec(
            select(GuideAssignment).where(col(GuideAssignment.handover_note).is_not(None))
        )
    ).all()
    assert len(noted) == len(changes)
