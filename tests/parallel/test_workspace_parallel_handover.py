"""Handovers under parallel requests: a young person moves from the guide the form saw,
once; every other form sent at the same moment is told they were already handed over."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.models import GuideAssignment, Handover, Message, MessageKind, Notification, Role, Youth
from tests.factories.people import make_team, make_user, make_youth
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses

ALREADY = "allerede overdraget"


async def count(db, model, *where) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(*where))).one()


async def moved_once(engine, youth_id: int) -> int:
    """Check the young person was moved exactly once; returns their guide now."""
    async with committed(engine) as db:
        youth = await db.get(Youth, youth_id)
        assert youth is not None and youth.guide_id is not None
        assert await count(db, Handover, Handover.youth_id == youth_id) == 1
        open_periods = (
            await db.exec(
                select(GuideAssignment.guide_id).where(
                    GuideAssignment.youth_id == youth_id, col(GuideAssignment.ended_at).is_(None)
                )
            )
        ).all()
        assert open_periods == [youth.guide_id]
        told = Notification.kind == "guide.changed", Notification.user_id == youth.user_id
        assert await count(db, Notification, *told) == 1
        line = Message.youth_id == youth_id, Message.kind == MessageKind.system
        assert await count(db, Message, *line) == 1
        return youth.guide_id


async def test_parallel_handovers_of_one_young_person_move_them_once(real_app, real_engine):
    async with committed(real_engine) as db:
        team = await make_team(db)
        guide = await make_user(db, team_id=team.id)
        colleagues = [await make_user(db, team_id=team.id) for _ in range(2)]
        youth = await make_youth(db, guide=guide)
    async with http_clients(real_app, PARALLEL, user=guide) as browsers:
        answers = await at_once(
            browsers,
            lambda http, n: http.post(
                f"/guide/youth/{youth.id}/handover",
                data={
                    "to_guide_id": str(colleagues[n % 2].id),
                    "note": "Hun vil helst skrive.",
                    "client_key": f"parallel-handover-{youth.id}-{n:04d}",
                },
            ),
        )
    assert statuses(answers) == [303] + [409] * (PARALLEL - 1)
    assert all(ALREADY in a.text for a in answers if a.status_code == 409)
    assert await moved_once(real_engine, youth.id) in {c.id for c in colleagues}


async def test_parallel_bulk_handovers_move_each_young_person_once(real_app, real_engine):
    async with committed(real_engine) as db:
        team = await make_team(db)
        leaving, b, c = [await make_user(db, team_id=team.id) for _ in range(3)]
        leader = await make_user(db, Role.leader, team_id=team.id)
        young = [await make_youth(db, guide=leaving) for _ in range(3)]
    async with http_clients(real_app, PARALLEL, user=leader) as browsers:
        answers = await at_once(
            browsers,
            lambda http, n: http.post(
                f"/leader/team/guides/{leaving.id}/handover",
                data={
                    "youth_ids": [str(y.id) for y in young],
                    "distribution": "round_robin",
                    "to_guide_ids": [str(b.id), str(c.id)],
                    "note": "Mads stopper. Alle er informeret.",
                    "client_key": f"parallel-bulk-{leaving.id}-{n:04d}",
                },
            ),
        )
    assert statuses(answers) == [303] + [409] * (PARALLEL - 1)
    assert all(ALREADY in a.text for a in answers if a.status_code == 409)
    for y in young:
        assert await moved_once(real_engine, y.id) in {b.id, c.id}


async def test_a_guide_and_a_leader_moving_one_young_person_at_once_move_them_once(
    real_app, real_engine
):
    async with committed(real_engine) as db:
        team = await make_team(db)
        guide, colleague = [await make_user(db, team_id=team.id) for _ in range(2)]
        leader = await make_user(db, Role.leader, team_id=team.id)
        youth = await make_youth(db, guide=guide)
    half = PARALLEL // 2
    by_guide = {"to_guide_id": str(colleague.id)}
    by_leader = {
        "youth_ids": [str(youth.id)],
        "distribution": "round_robin",
        "to_guide_ids": [str(colleague.id)],
    }

    def send(http, n):
        if n < half:
            url, fields = f"/guide/youth/{youth.id}/handover", by_guide
        else:
            url, fields = f"/leader/team/guides/{guide.id}/handover", by_leader
        data = {
            **fields,
            "note": "Over til dig.",
            "client_key": f"parallel-mixed-{youth.id}-{n:04d}",
        }
        return http.post(url, data=data)

    async with (
        http_clients(real_app, half, user=guide) as guides,
        http_clients(real_app, half, user=leader) as leaders,
    ):
        answers = await at_once([*guides, *leaders], send)
    assert statuses(answers) == [303] + [409] * (PARALLEL - 1)
    assert await moved_once(real_engine, youth.id) == colleague.id
