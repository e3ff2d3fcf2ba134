"""Prompts on the due day, and the risk flags raised by silence and by well-being."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, select

from app.models import FlagReason, FollowUp, Notification, RiskFlag
from app.services.followups.flags import raise_flag_for_wellbeing_drop
from app.services.followups.prompts import AnswerForm, answer, open_prompt, run_follow_up_jobs
from app.worker import JOBS
from tests.factories.followups import start
from tests.factories.people import make_user, make_youth, user_of

pytestmark = pytest.mark.time_dependent

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _started(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY)
    follow_ups = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence))
        )
    ).all()
    return guide, youth, enrollment, follow_ups


async def _flags(db, youth) -> list[RiskFlag]:
    return list((await db.exec(select(RiskFlag).where(RiskFlag.youth_id == youth.id))).all())


def test_the_worker_runs_the_follow_up_job():
    assert any(job.run is run_follow_up_jobs for job in JOBS)


async def test_a_prompt_is_queued_once_when_a_follow_up_becomes_due(db):
    _guide, youth, _enrollment, follow_ups = await _started(db)
    assert await run_follow_up_jobs(db, MONDAY + timedelta(days=6)) == 0
    due = follow_ups[0].due_at + timedelta(minutes=1)
    assert await run_follow_up_jobs(db, due) == 1
    assert await run_follow_up_jobs(db, due + timedelta(minutes=5)) == 0
    prompts = (
        await db.exec(select(Notification).where(Notification.kind == "followup.prompt"))
    ).all()
    assert [(p.user_id, p.dedupe_key) for p in prompts] == [
        (youth.user_id, f"followup.prompt:{follow_ups[0].id}")
    ]


async def test_the_home_card_shows_the_latest_due_follow_up_until_answered(db):
    _guide, youth, _enrollment, follow_ups = await _started(db)
    person = await user_of(db, youth)
    assert await open_prompt(db, actor=person, now=MONDAY) is None
    now = follow_ups[1].due_at + timedelta(hours=2)
    prompt = await open_prompt(db, actor=person, now=now)
    assert prompt is not None and prompt.follow_up.id == follow_ups[1].id
    assert prompt.place.startswith("Tømreruddannelsen")
    await answer(
        db, actor=person, follow_up_id=follow_ups[1].id, form=AnswerForm(answer="good"), now=now
    )
    assert await open_prompt(db, actor=person, now=now) is None


async def test_second_unanswered_follow_up_raises_risk_flag(db):
    _guide, youth, _enrollment, follow_ups = await _started(db)
    # 9 March: the first window closes after 12 March; one silence is no flag yet.
    await run_follow_up_jobs(db, datetime(2026, 3, 13, 12, 0, tzinfo=UTC))
    assert await _flags(db, youth) == []
    # 23 March: the second window closes after 26 March.
    await run_follow_up_jobs(db, datetime(2026, 3, 26, 12, 0, tzinfo=UTC))
    assert await _flags(db, youth) == []
    await run_follow_up_jobs(db, datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    await run_follow_up_jobs(db, datetime(2026, 3, 27, 13, 0, tzinfo=UTC))
    flags = await _flags(db, youth)
    assert [(f.reason, f.follow_up_id) for f in flags] == [
        (FlagReason.unanswered, follow_ups[1].id)
    ]


async def test_an_answer_between_two_silences_raises_no_flag(db):
    _guide, youth, _enrollment, follow_ups = await _started(db)
    person = await user_of(db, youth)
    await answer(
        db,
        actor=person,
        follow_up_id=follow_ups[1].id,
        form=AnswerForm(answer="okay"),
        now=follow_ups[1].due_at,
    )
    await run_follow_up_jobs(db, datetime(2026, 4, 14, 12, 0, tzinfo=UTC))
    assert await _flags(db, youth) == []


async def test_a_wellbeing_drop_of_ten_points_during_the_start_raises_a_flag(db):
    _guide, youth, _enrollment, _ = await _started(db)
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    assert await raise_flag_for_wellbeing_drop(db, youth_id=youth.id, drop=8, now=now) is None
    flag = await raise_flag_for_wellbeing_drop(db, youth_id=youth.id, drop=12, now=now)
    again = await raise_flag_for_wellbeing_drop(db, youth_id=youth.id, drop=16, now=now)
    assert flag is not None and again is not None and flag.id == again.id
    assert flag.reason == FlagReason.wellbeing_drop


async def test_no_wellbeing_flag_without_a_start(db):
    youth = await make_youth(db, guide=await make_user(db))
    assert await raise_flag_for_wellbeing_drop(db, youth_id=youth.id, drop=20, now=MONDAY) is None


async def test_a_who5_fall_during_the_start_raises_the_risk_flag(db):
    from tests.factories.checkins import answer_who5

    _guide, youth, _enrollment, _ = await _started(db)
    person = await user_of(db, youth)
    await answer_who5(db, actor=person, score=72, now=datetime(2026, 3, 10, 12, tzinfo=UTC))
    assert await _flags(db, youth) == []
    await answer_who5(db, actor=person, score=56, now=datetime(2026, 4, 10, 12, tzinfo=UTC))
    assert [flag.reason for flag in await _flags(db, youth)] == [FlagReason.wellbeing_drop]
