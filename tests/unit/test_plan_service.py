"""The plan's rules: order, history, undo, concurrent edits, the long-term plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.errors import NotFound
from app.models import PlanEvent, PlanStep, ReadinessGroup, StepStatus
from app.services.client_keys import new_client_key
from app.services.plan import goal, history, steps
from app.services.plan.goal import DirectionForm
from app.services.plan.steps import Direction, StepChanged, StepForm
from tests.factories.people import T0, make_user
from tests.factories.plan import make_course


async def add(db, course, title: str, actor=None):
    return await steps.add_step(
        db,
        actor=actor or course.guide,
        youth_id=course.youth.id,
        data=StepForm(title=title),
        client_key=new_client_key(),
        now=T0,
    )


async def titles(db, course) -> list[str]:
    return [s.title for s in (await steps.load_plan(db, youth=course.youth)).steps]


async def test_new_steps_go_last_and_the_guide_moves_them_up_and_down(db):
    course = await make_course(db)
    await add(db, course, "Lav CV")
    third = await add(db, course, "Søg job")
    await steps.move_step(
        db,
        actor=course.guide,
        youth_id=course.youth.id,
        step_id=third.id,
        direction=Direction.up,
        now=T0,
    )
    assert await titles(db, course) == ["Ring til skolen", "Søg job", "Lav CV"]
    await steps.move_step(
        db,
        actor=course.guide,
        youth_id=course.youth.id,
        step_id=third.id,
        direction=Direction.up,
        now=T0,
    )
    # At the top already: nothing moves.
    await steps.move_step(
        db,
        actor=course.guide,
        youth_id=course.youth.id,
        step_id=third.id,
        direction=Direction.up,
        now=T0,
    )
    assert await titles(db, course) == ["Søg job", "Ring til skolen", "Lav CV"]


async def test_second_save_of_the_same_step_is_told_it_changed_and_gets_the_new_version(db):
    course = await make_course(db)
    step = course.step
    opened = step.version
    await steps.edit_step(
        db,
        actor=course.guide,
        youth_id=course.youth.id,
        step_id=step.id,
        data=StepForm(title="Ring til skolen i dag"),
        version=opened,
        now=T0,
    )
    with pytest.raises(StepChanged) as changed:
        await steps.edit_step(
            db,
            actor=course.guide,
            youth_id=course.youth.id,
            step_id=step.id,
            data=StepForm(title="Ring til skolen i morgen"),
            version=opened,
            now=T0,
        )
    assert changed.value.current.title == "Ring til skolen i dag"
    assert changed.value.current.version == opened + 1


async def test_a_deleted_step_leaves_the_plan_and_comes_back_with_undo(db):
    course = await make_course(db)
    await steps.delete_step(
        db, actor=course.guide, youth_id=course.youth.id, step_id=course.step.id, now=T0
    )
    assert await titles(db, course) == []
    await steps.restore_step(
        db, actor=course.guide, youth_id=course.youth.id, step_id=course.step.id, now=T0
    )
    assert await titles(db, course) == ["Ring til skolen"]
    actions = [e.event.action for e in await history.history(db, youth_id=course.youth.id)]
    assert actions[:2] == ["step.restored", "step.deleted"]


async def test_every_change_keeps_who_what_and_when(db):
    course = await make_course(db)
    later = T0 + timedelta(hours=3)
    await steps.set_status(
        db, actor=course.person, step_id=course.step.id, status=StepStatus.done, now=later
    )
    # A repeated tap records nothing more.
    await steps.set_status(
        db, actor=course.person, step_id=course.step.id, status=StepStatus.done, now=later
    )
    events = (await db.exec(select(PlanEvent).where(PlanEvent.youth_id == course.youth.id))).all()
    assert [(e.actor_id, e.action, e.detail, e.at) for e in events] == [
        (course.person.id, "step.status", "done:Ring til skolen", later)
    ]
    assert course.step.done_at == later


async def test_young_person_cannot_mark_another_young_persons_step(db):
    mine = await make_course(db)
    theirs = await make_course(db)
    with pytest.raises(NotFound):
        await steps.set_status(
            db, actor=mine.person, step_id=theirs.step.id, status=StepStatus.done, now=T0
        )
    assert theirs.step.status == StepStatus.todo


async def test_young_person_cannot_use_the_guides_editing(db):
    from app.errors import Forbidden

    course = await make_course(db)
    with pytest.raises(Forbidden):
        await steps.delete_step(
            db, actor=course.person, youth_id=course.youth.id, step_id=course.step.id, now=T0
        )
    assert course.step.deleted_at is None


async def test_long_term_plan_needs_a_destination_and_three_steps(db):
    course = await make_course(db)
    youth_id = course.youth.id
    await add(db, course, "Lav CV")
    await add(db, course, "Søg job")
    assert not await goal.has_long_term_plan(db, youth_id=youth_id)
    await goal.set_direction(
        db,
        actor=course.guide,
        youth_id=youth_id,
        data=DirectionForm(
            destination="Tømrer (EUD)", readiness_group=ReadinessGroup.activity_ready
        ),
        now=T0,
    )
    assert await goal.has_long_term_plan(db, youth_id=youth_id)
    step = (await db.exec(select(PlanStep).where(PlanStep.youth_id == youth_id))).first()
    await steps.delete_step(db, actor=course.guide, youth_id=youth_id, step_id=step.id, now=T0)
    assert not await goal.has_long_term_plan(db, youth_id=youth_id)
    other = await make_course(db)
    assert (
        await goal.youth_ids_with_long_term_plan(db, youth_ids=[youth_id, other.youth.id]) == set()
    )


async def test_the_same_client_key_adds_one_step_and_one_history_entry(db):
    course = await make_course(db)
    key = new_client_key()
    for _ in range(2):
        await steps.add_step(
            db,
            actor=course.person,
            youth_id=course.youth.id,
            data=StepForm(title="Køb buskort"),
            client_key=key,
            now=T0,
        )
    assert await titles(db, course) == ["Ring til skolen", "Køb buskort"]
    added = (await db.exec(select(PlanEvent).where(PlanEvent.action == "step.added"))).all()
    assert len(added) == 1


async def test_a_client_key_of_another_young_person_is_refused(db):
    from app.errors import Conflict

    mine = await make_course(db)
    theirs = await make_course(db)
    key = new_client_key()
    await steps.add_step(
        db,
        actor=theirs.person,
        youth_id=theirs.youth.id,
        data=StepForm(title="Hemmelig"),
        client_key=key,
        now=T0,
    )
    with pytest.raises(Conflict):
        await steps.add_step(
            db,
            actor=mine.person,
            youth_id=mine.youth.id,
            data=StepForm(title="X"),
            client_key=key,
            now=T0,
        )


async def test_guide_of_another_caseload_cannot_edit(db):
    course = await make_course(db)
    stranger = await make_user(db)
    with pytest.raises(NotFound):
        await steps.edit_step(
            db,
            actor=stranger,
            youth_id=course.youth.id,
            step_id=course.step.id,
            data=StepForm(title="X"),
            version=1,
            now=T0,
        )
