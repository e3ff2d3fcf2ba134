"""Plan steps under parallel requests: places stay unique and in a row, and every
change of a step counts in its version."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.models import PlanEvent, PlanStep, StepStatus
from tests.factories.people import make_user, make_youth, user_of
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses

STEPS = 5


async def a_plan(engine, steps: int = STEPS):
    """A guide, the young person (as a user) and their plan's steps, in order."""
    async with committed(engine) as db:
        guide = await make_user(db)
        youth = await make_youth(db, guide=guide)
        person = await user_of(db, youth)
        assert youth.id is not None and guide.id is not None
        rows = [
            PlanStep(youth_id=youth.id, title=f"Trin {n}", position=n, created_by_id=guide.id)
            for n in range(steps)
        ]
        db.add_all(rows)
        await db.flush()
    return guide, youth, person, rows


async def places(engine, youth_id: int) -> list[int]:
    async with committed(engine) as db:
        rows = await db.exec(
            select(PlanStep.position)
            .where(PlanStep.youth_id == youth_id, col(PlanStep.deleted_at).is_(None))
            .order_by(col(PlanStep.position))
        )
        return list(rows.all())


async def test_steps_moved_at_once_keep_unique_places_in_a_row(real_app, real_engine):
    guide, youth, _person, steps = await a_plan(real_engine)
    url = f"/guide/youth/{youth.id}/plan/steps/{{}}/move"
    async with http_clients(real_app, PARALLEL, user=guide) as browsers:
        answers = await at_once(
            browsers,
            lambda http, n: http.post(
                url.format(steps[1 + n % 3].id), data={"direction": ("up", "down")[n % 2]}
            ),
        )
    assert statuses(answers) == [303] * PARALLEL
    assert await places(real_engine, youth.id) == list(range(STEPS))


async def test_steps_added_at_once_each_get_their_own_place(real_app, real_engine):
    guide, youth, _person, _steps = await a_plan(real_engine)
    async with http_clients(real_app, PARALLEL, user=guide) as browsers:
        answers = await at_once(
            browsers,
            lambda http, n: http.post(
                f"/guide/youth/{youth.id}/plan/steps",
                data={"title": f"Nyt trin {n}", "client_key": f"step{youth.id:08d}x{n:08d}"},
            ),
        )
    assert statuses(answers) == [303] * PARALLEL
    assert await places(real_engine, youth.id) == list(range(STEPS + PARALLEL))


async def test_status_changes_at_once_each_count_in_the_version(real_app, real_engine):
    guide, youth, person, steps = await a_plan(real_engine, steps=1)
    step_id = steps[0].id
    cycle = (StepStatus.doing, StepStatus.done, StepStatus.todo)
    async with (
        http_clients(real_app, PARALLEL // 2, user=person) as phones,
        http_clients(real_app, PARALLEL // 2, user=guide) as desks,
    ):
        answers = await at_once(
            [*phones, *desks],
            lambda http, n: http.post(
                f"/plan/steps/{step_id}/status"
                if n < PARALLEL // 2
                else f"/guide/youth/{youth.id}/plan/steps/{step_id}/status",
                data={"status": cycle[n % 3].value},
            ),
        )
    assert statuses(answers) == [303] * PARALLEL
    async with committed(real_engine) as db:
        step = await db.get(PlanStep, step_id)
        assert step is not None
        changes = (
            await db.exec(
                select(func.count()).where(
                    PlanEvent.step_id == step_id, PlanEvent.action == "step.status"
                )
            )
        ).one()
        assert changes > 0
        assert step.version == 1 + changes
