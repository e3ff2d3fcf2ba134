"""Follow-ups after a start, through the routes: the young person answers, the guide calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from app.models import (
    AuditRecord,
    CourseEnd,
    CourseStatus,
    Enrollment,
    FollowUp,
    Message,
    Notification,
    PlanStep,
    RiskFlag,
    Role,
)
from tests.factories.followups import start
from tests.factories.people import make_cover, make_user, make_youth, sign_in, user_of

pytestmark = pytest.mark.time_dependent

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST_DUE = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # the first follow-up is due at 08:00 UTC


async def _started(db, guide=None):
    guide = guide or await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=MONDAY)
    return guide, youth, enrollment


async def _first(db, enrollment) -> FollowUp:
    return (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id)
            .order_by(col(FollowUp.sequence))
        )
    ).first()


async def test_guide_registers_a_start_and_the_course_becomes_started(
    client, db, settings, frozen_clock
):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    frozen_clock.now = MONDAY
    await sign_in(client, db, guide, settings, MONDAY)
    page = await client.get(f"/guide/youth/{youth.id}/followups")
    assert page.status_code == 200
    form = {
        "kind": "job",
        "place": "Netto, Fjordby",
        "starts_on": "2026-03-02",
        "expected_end_on": "",
        "first_gap_days": "7",
        "interval_days": "14",
        "length_months": "6",
        "client_key": "k" * 20,
    }
    answer = await client.post(f"/guide/youth/{youth.id}/enrollments", data=form)
    assert answer.status_code == 303
    again = await client.post(f"/guide/youth/{youth.id}/enrollments", data=form)
    assert again.status_code == 303
    await db.refresh(youth)
    assert youth.status == CourseStatus.started
    count = (
        await db.exec(
            select(func.count()).select_from(Enrollment).where(Enrollment.youth_id == youth.id)
        )
    ).one()
    assert count == 1
    page = await client.get(f"/guide/youth/{youth.id}/followups")
    assert "Netto, Fjordby" in page.text


async def test_a_start_with_errors_is_shown_again_with_what_was_typed(
    client, db, settings, frozen_clock
):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    answer = await client.post(
        f"/guide/youth/{youth.id}/enrollments",
        data={
            "kind": "education",
            "place": "Fjordby Gymnasium",
            "starts_on": "2026-03-02",
            "expected_end_on": "2026-01-01",
            "first_gap_days": "7",
            "interval_days": "3",
            "length_months": "12",
            "client_key": "x" * 20,
        },
    )
    assert answer.status_code == 422
    assert "Fjordby Gymnasium" in answer.text
    assert "Den forventede slutdato skal ligge efter starten." in answer.text
    assert "Tallet skal være mindst 7." in answer.text


async def test_young_person_answers_hard_with_words_and_the_guide_sees_the_flag(
    client, db, settings, frozen_clock
):
    guide, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    frozen_clock.now = FIRST_DUE
    person = await user_of(db, youth)
    await sign_in(client, db, person, settings, FIRST_DUE)
    page = await client.get(f"/followups/{follow_up.id}")
    assert "Hvordan går det på Tømreruddannelsen" in page.text
    data = {"answer": "hard", "text": "Jeg kender ingen i klassen."}
    assert (await client.post(f"/followups/{follow_up.id}", data=data)).status_code == 303
    assert (await client.post(f"/followups/{follow_up.id}", data=data)).status_code == 303
    messages = (await db.exec(select(Message).where(Message.youth_id == youth.id))).all()
    assert [(m.body, m.sender_id, m.client_key) for m in messages] == [
        ("Jeg kender ingen i klassen.", person.id, f"followup:{follow_up.id}")
    ]
    flags = (await db.exec(select(RiskFlag).where(RiskFlag.youth_id == youth.id))).all()
    assert len(flags) == 1 and flags[0].reason == "answer"
    notes = (await db.exec(select(Notification).where(Notification.user_id == guide.id))).all()
    assert [n.kind for n in notes] == ["followup.flag"]
    assert "Jeg kender" not in notes[0].params

    client.cookies.clear()
    await sign_in(client, db, guide, settings, FIRST_DUE)
    calls = await client.get("/guide/calls")
    assert "Jeg kender ingen i klassen." in calls.text
    assert 'data-flag="answer"' in calls.text


async def test_a_follow_up_is_not_open_before_it_is_due(client, db, settings, frozen_clock):
    _guide, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    frozen_clock.now = MONDAY
    await sign_in(client, db, await user_of(db, youth), settings, MONDAY)
    assert (await client.get(f"/followups/{follow_up.id}")).status_code == 404


async def test_call_list_puts_flagged_young_people_first_and_audits_only_who_is_opened(
    client, db, settings, frozen_clock
):
    guide = await make_user(db)
    _, calm, _calm_start = await _started(db, guide)
    _, worried, worried_start = await _started(db, guide)
    frozen_clock.now = FIRST_DUE
    worried_first = await _first(db, worried_start)
    await sign_in(client, db, await user_of(db, worried), settings, FIRST_DUE)
    await client.post(f"/followups/{worried_first.id}", data={"answer": "considering_stopping"})
    client.cookies.clear()
    await sign_in(client, db, guide, settings, FIRST_DUE)
    page = await client.get("/guide/calls")
    assert page.text.index(f'id="call-{worried.id}"') < page.text.index(f'id="call-{calm.id}"')
    audited = (await db.exec(select(AuditRecord.youth_id))).all()
    assert audited == [], "a list writes no audit record"
    assert (await client.get(f"/guide/youth/{worried.id}/followups")).status_code == 200
    audited = (await db.exec(select(AuditRecord.youth_id))).all()
    assert audited == [worried.id]


async def test_reaching_the_young_person_handles_the_flag(client, db, settings, frozen_clock):
    guide, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, await user_of(db, youth), settings, FIRST_DUE)
    await client.post(f"/followups/{follow_up.id}", data={"answer": "hard"})
    client.cookies.clear()
    await sign_in(client, db, guide, settings, FIRST_DUE)
    form = {"follow_up_id": follow_up.id, "outcome": "not_reached", "risk_state": "challenged"}
    assert (await client.post(f"/guide/calls/{youth.id}", data=form)).status_code == 303
    flag = (await db.exec(select(RiskFlag).where(RiskFlag.youth_id == youth.id))).one()
    assert flag.handled_at is None  # not reached: still on top of the list
    assert f'id="call-{youth.id}"' in (await client.get("/guide/calls")).text
    upcoming = (
        await db.exec(
            select(FollowUp)
            .where(FollowUp.enrollment_id == enrollment.id, col(FollowUp.handled_at).is_(None))
            .order_by(col(FollowUp.sequence))
        )
    ).first()
    form = {"follow_up_id": upcoming.id, "outcome": "reached", "risk_state": "challenged"}
    assert (await client.post(f"/guide/calls/{youth.id}", data=form)).status_code == 303
    await db.refresh(flag)
    assert flag.handled_at is not None
    assert f'id="call-{youth.id}"' not in (await client.get("/guide/calls")).text


async def test_a_call_without_choices_is_refused_next_to_the_fields(
    client, db, settings, frozen_clock
):
    guide, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, guide, settings, FIRST_DUE)
    answer = await client.post(
        f"/guide/calls/{youth.id}", data={"follow_up_id": follow_up.id, "outcome": "reached"}
    )
    assert answer.status_code == 422
    assert f'id="risk_state-{youth.id}-error"' in answer.text
    await db.refresh(follow_up)
    assert follow_up.handled_at is None


async def test_dropping_out_reopens_the_course_with_plan_b_and_a_restart_plans_again(
    client, db, settings, frozen_clock
):
    guide, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, guide, settings, FIRST_DUE)
    form = {"follow_up_id": follow_up.id, "outcome": "reached", "risk_state": "dropped_out"}
    assert (await client.post(f"/guide/calls/{youth.id}", data=form)).status_code == 303
    await db.refresh(youth)
    await db.refresh(enrollment)
    assert youth.status == CourseStatus.in_course
    assert enrollment.end_reason == "dropped_out"
    steps = (await db.exec(select(PlanStep).where(PlanStep.youth_id == youth.id))).all()
    assert [s.title for s in steps] == ["Plan B: find det næste skridt sammen"]
    # The plan's history shows the plan B step too (issue 19 #18).
    plan_page = (await client.get(f"/guide/youth/{youth.id}/plan")).text
    history_part = plan_page[plan_page.index('id="history-heading"') :]
    assert "Plan B: find det næste skridt sammen" in history_part
    history = (await db.exec(select(FollowUp).where(FollowUp.enrollment_id == enrollment.id))).all()
    assert len(history) == 26  # nothing is deleted
    assert all(f.cancelled_at is not None for f in history if f.id != follow_up.id)

    restart = {
        "kind": "job",
        "place": "Bageriet i Fjordby",
        "starts_on": "2026-03-16",
        "first_gap_days": "7",
        "interval_days": "14",
        "length_months": "12",
        "client_key": "restart-key-0001",
    }
    assert (
        await client.post(f"/guide/youth/{youth.id}/enrollments", data=restart)
    ).status_code == 303
    await db.refresh(youth)
    assert youth.status == CourseStatus.started
    page = await client.get(f"/guide/youth/{youth.id}/followups")
    assert "Bageriet i Fjordby" in page.text and "Tømreruddannelsen" in page.text


async def test_handling_the_last_follow_up_records_a_course_end(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    enrollment = await start(
        db,
        guide=guide,
        youth=youth,
        starts_on=date(2026, 3, 2),
        now=MONDAY,
        length_months=1,
        kind="job",
    )
    rows = (await db.exec(select(FollowUp).where(FollowUp.enrollment_id == enrollment.id))).all()
    last = max(rows, key=lambda f: f.sequence)
    frozen_clock.now = last.due_at + timedelta(hours=1)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    form = {"follow_up_id": last.id, "outcome": "reached", "risk_state": "thriving"}
    assert (await client.post(f"/guide/calls/{youth.id}", data=form)).status_code == 303
    end = (await db.exec(select(CourseEnd).where(CourseEnd.youth_id == youth.id))).one()
    assert end.outcome == "job" and end.enrollment_id == enrollment.id
    await db.refresh(youth)
    assert youth.status == CourseStatus.ended


async def test_guide_ends_the_course_with_an_outcome(client, db, settings, frozen_clock):
    guide, youth, enrollment = await _started(db)
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, guide, settings, FIRST_DUE)
    future = await client.post(
        f"/guide/youth/{youth.id}/course-end", data={"ended_on": "2026-04-01", "outcome": "job"}
    )
    assert future.status_code == 422
    answer = await client.post(
        f"/guide/youth/{youth.id}/course-end", data={"ended_on": "2026-03-09", "outcome": "other"}
    )
    assert answer.status_code == 303
    end = (await db.exec(select(CourseEnd).where(CourseEnd.youth_id == youth.id))).one()
    assert end.outcome == "other" and end.ended_on == date(2026, 3, 9)
    await db.refresh(enrollment)
    assert enrollment.ended_at is not None


async def test_guide_cannot_reach_another_guides_young_person_by_id(
    client, db, settings, frozen_clock
):
    _owner, youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    other = await make_user(db)
    await db.commit()  # refused requests roll back; the setup must survive them
    youth_id, follow_up_id = youth.id, follow_up.id  # rows expire when a request rolls back
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, other, settings, FIRST_DUE)
    assert (await client.get(f"/guide/youth/{youth_id}/followups")).status_code == 404
    posts = {
        f"/guide/youth/{youth_id}/enrollments": {
            "kind": "job",
            "place": "X",
            "starts_on": "2026-03-09",
            "first_gap_days": "7",
            "interval_days": "14",
            "length_months": "12",
            "client_key": "intruder-key-0001",
        },
        f"/guide/youth/{youth_id}/schedule": {
            "first_gap_days": "7",
            "interval_days": "28",
            "length_months": "12",
        },
        f"/guide/youth/{youth_id}/course-end": {"ended_on": "2026-03-09", "outcome": "job"},
        f"/guide/calls/{youth_id}": {
            "follow_up_id": follow_up_id,
            "outcome": "reached",
            "risk_state": "dropped_out",
        },
    }
    for url, data in posts.items():
        assert (await client.post(url, data=data)).status_code == 404, url
    assert f'id="call-{youth_id}"' not in (await client.get("/guide/calls")).text
    follow_up = await db.get(FollowUp, follow_up_id)
    assert follow_up.handled_at is None
    audited = (await db.exec(select(AuditRecord).where(AuditRecord.youth_id == youth_id))).all()
    assert audited == []


async def test_a_guide_cannot_record_a_call_on_another_young_persons_follow_up(
    client, db, settings, frozen_clock
):
    guide, mine, _ = await _started(db)
    _other_guide, _theirs, their_start = await _started(db)
    theirs_first = await _first(db, their_start)
    await db.commit()
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, guide, settings, FIRST_DUE)
    form = {"follow_up_id": theirs_first.id, "outcome": "reached", "risk_state": "thriving"}
    assert (await client.post(f"/guide/calls/{mine.id}", data=form)).status_code == 404


async def test_young_person_cannot_open_or_answer_another_young_persons_follow_up(
    client, db, settings, frozen_clock
):
    _guide, _youth, enrollment = await _started(db)
    follow_up = await _first(db, enrollment)
    stranger = await make_youth(db)
    await db.commit()  # refused requests roll back; the setup must survive them
    follow_up_id = follow_up.id
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, await user_of(db, stranger), settings, FIRST_DUE)
    assert (await client.get(f"/followups/{follow_up_id}")).status_code == 404
    answer = await client.post(f"/followups/{follow_up_id}", data={"answer": "good"})
    assert answer.status_code == 404
    assert (await client.get("/guide/calls")).status_code == 403


async def test_covering_guide_sees_the_absent_colleagues_call_list(
    client, db, settings, frozen_clock
):
    absent, youth, _ = await _started(db)
    covering = await make_user(db, Role.guide)
    await make_cover(
        db,
        absent=absent,
        covering=covering,
        starts_at=MONDAY,
        ends_at=MONDAY + timedelta(days=30),
    )
    frozen_clock.now = FIRST_DUE
    await sign_in(client, db, covering, settings, FIRST_DUE)
    page = await client.get("/guide/calls")
    assert f'id="call-{youth.id}"' in page.text
    assert (await client.get(f"/guide/youth/{youth.id}/followups")).status_code == 200
    via = (
        await db.exec(
            select(AuditRecord.via).where(
                AuditRecord.youth_id == youth.id, AuditRecord.action == "followup.view"
            )
        )
    ).one()
    assert via == "cover"
