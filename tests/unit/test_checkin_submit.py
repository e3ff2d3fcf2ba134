"""Answering a check-in: stored once per client key, refused cleanly when wrong, and the
alerts it raises for the guide."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from app.errors import NotFound, ValidationFailed
from app.models import AlertKind, CheckIn, CheckInAlert, CheckInAnswer, Notification
from app.services.checkins import answering
from app.services.checkins.answering import ForeignCheckIn, UnknownInstrument
from app.services.client_keys import BadClientKey
from tests.factories.checkins import answer_who5, client_key, who5_answers
from tests.factories.people import make_user, make_youth, user_of


async def count(db, model) -> int:
    return (await db.exec(select(func.count()).select_from(model))).one()


async def nothing_stored(db) -> bool:
    return all([await count(db, m) == 0 for m in (CheckIn, CheckInAnswer, CheckInAlert)])


@pytest.fixture
async def sara(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    return youth, await user_of(db, youth), guide


async def test_a_young_person_answers_who5_and_gets_a_score(db, sara, frozen_clock):
    youth, person, _ = sara
    checkin = await answer_who5(db, actor=person, score=64, now=frozen_clock.now)
    assert (checkin.youth_id, checkin.score, checkin.raw_score) == (youth.id, 64, 16)
    assert checkin.together is False and checkin.recorded_by_id == person.id
    answers = (
        await db.exec(select(CheckInAnswer).where(CheckInAnswer.checkin_id == checkin.id))
    ).all()
    assert sorted((a.item_key, a.value) for a in answers) == [
        ("q1", 4),
        ("q2", 3),
        ("q3", 3),
        ("q4", 3),
        ("q5", 3),
    ]


async def test_sending_twice_with_the_same_client_key_stores_one_check_in(db, sara, frozen_clock):
    _, person, _ = sara
    key = client_key()
    kwargs = dict(
        actor=person, youth_id=None, code="who5", answers=who5_answers(40), client_key=key
    )
    first = await answering.submit(db, now=frozen_clock.now, **kwargs)
    again = await answering.submit(db, now=frozen_clock.now + timedelta(seconds=30), **kwargs)
    assert again.id == first.id
    assert await count(db, CheckIn) == 1
    assert await count(db, CheckInAnswer) == 5
    assert await count(db, CheckInAlert) == 1  # screen further, once


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"q1": "3", "q2": "3", "q3": "3", "q4": "3"}, "answer-q5", "Vælg et svar."),
        ({"q1": "3", "q2": "3", "q3": "3", "q4": "3", "q5": ""}, "answer-q5", "Vælg et svar."),
        (
            {"q1": "6", "q2": "3", "q3": "3", "q4": "3", "q5": "3"},
            "answer-q1",
            "Vælg et af de viste svar.",
        ),
        (
            {"q1": "-1", "q2": "3", "q3": "3", "q4": "3", "q5": "3"},
            "answer-q1",
            "Vælg et af de viste svar.",
        ),
        (
            {"q1": "x", "q2": "3", "q3": "3", "q4": "3", "q5": "3"},
            "answer-q1",
            "Vælg et af de viste svar.",
        ),
        (
            {"q1": "3", "q2": "3", "q3": "3", "q4": "3", "q5": "3", "q9": "3"},
            "__all__",
            "Nogle svar hører ikke til denne måling. Svar venligst igen.",
        ),
    ],
)
async def test_bad_answers_are_refused_per_item_and_nothing_is_stored(
    db, sara, frozen_clock, answers, field, message
):
    _, person, _ = sara
    with pytest.raises(ValidationFailed) as refused:
        await answering.submit(
            db,
            actor=person,
            youth_id=None,
            code="who5",
            answers=answers,
            client_key=client_key(),
            now=frozen_clock.now,
        )
    assert refused.value.errors[field] == message
    assert refused.value.values["answer-q2"] == "3"  # what they chose is kept
    assert await nothing_stored(db)


async def test_an_unknown_instrument_is_refused_and_nothing_is_stored(db, sara, frozen_clock):
    _, person, _ = sara
    with pytest.raises(UnknownInstrument):
        await answering.submit(
            db,
            actor=person,
            youth_id=None,
            code="phq9",
            answers=who5_answers(40),
            client_key=client_key(),
            now=frozen_clock.now,
        )
    assert await nothing_stored(db)


async def test_a_missing_or_odd_client_key_is_refused(db, sara, frozen_clock):
    _, person, _ = sara
    for key in ("", "short", "x" * 65, "spaces are not allowed"):
        with pytest.raises(BadClientKey):
            await answering.submit(
                db,
                actor=person,
                youth_id=None,
                code="who5",
                answers=who5_answers(40),
                client_key=key,
                now=frozen_clock.now,
            )
    assert await nothing_stored(db)


async def test_someone_elses_check_in_key_is_refused_and_theirs_is_untouched(
    db, sara, frozen_clock
):
    _, person, guide = sara
    other = await make_youth(db, guide=guide)
    theirs = await answer_who5(db, actor=await user_of(db, other), score=80, now=frozen_clock.now)
    with pytest.raises(ForeignCheckIn):
        await answering.submit(
            db,
            actor=person,
            youth_id=None,
            code="who5",
            answers=who5_answers(20),
            client_key=theirs.client_key,
            now=frozen_clock.now,
        )
    assert await count(db, CheckIn) == 1
    await db.refresh(theirs)
    assert theirs.score == 80 and theirs.youth_id == other.id


async def test_a_guide_cannot_record_for_another_guides_young_person(db, sara, frozen_clock):
    youth, _, _ = sara
    stranger = await make_user(db)
    with pytest.raises(NotFound):
        await answer_who5(db, actor=stranger, youth=youth, score=40, now=frozen_clock.now)
    assert await nothing_stored(db)


async def test_a_young_person_cannot_record_for_someone_else(db, sara, frozen_clock):
    _, person, guide = sara
    other = await make_youth(db, guide=guide)
    with pytest.raises(NotFound):
        await answer_who5(db, actor=person, youth=other, score=40, now=frozen_clock.now)
    assert await nothing_stored(db)


async def test_filled_in_together_at_a_meeting_is_recorded_as_such(db, sara, frozen_clock):
    youth, _, guide = sara
    checkin = await answer_who5(db, actor=guide, youth=youth, score=72, now=frozen_clock.now)
    assert checkin.together is True and checkin.recorded_by_id == guide.id


async def alert_kinds(db, checkin):
    rows = await db.exec(select(CheckInAlert.kind).where(CheckInAlert.checkin_id == checkin.id))
    return sorted(rows.all())


async def test_alerts_raised_by_a_sliding_young_person(db, sara, frozen_clock):
    _, person, _guide = sara
    now = frozen_clock.now
    first = await answer_who5(db, actor=person, score=68, now=now)
    assert await alert_kinds(db, first) == []
    second = await answer_who5(db, actor=person, score=52, now=now + timedelta(days=30))
    assert await alert_kinds(db, second) == [AlertKind.marked_fall]
    third = await answer_who5(db, actor=person, score=48, now=now + timedelta(days=60))
    assert await alert_kinds(db, third) == [AlertKind.screen_further]
    fourth = await answer_who5(db, actor=person, score=24, now=now + timedelta(days=90))
    assert await alert_kinds(db, fourth) == [AlertKind.marked_fall, AlertKind.urgent]


async def test_the_guide_is_notified_of_an_alert_without_the_score(db, sara, frozen_clock):
    _youth, person, guide = sara
    checkin = await answer_who5(db, actor=person, score=24, now=frozen_clock.now)
    note = (await db.exec(select(Notification).where(Notification.user_id == guide.id))).one()
    assert note.kind == "checkin.alert" and note.urgent
    assert note.dedupe_key == f"checkin.alert:{checkin.id}"
    assert "24" not in note.params


async def test_no_notification_when_nothing_is_raised(db, sara, frozen_clock):
    _, person, _ = sara
    await answer_who5(db, actor=person, score=80, now=frozen_clock.now)
    assert await count(db, Notification) == 0


async def test_a_young_person_sees_only_their_own_result(db, sara, frozen_clock):
    _, person, guide = sara
    other = await make_youth(db, guide=guide)
    theirs = await answer_who5(db, actor=await user_of(db, other), score=80, now=frozen_clock.now)
    mine = await answer_who5(db, actor=person, score=44, now=frozen_clock.now)
    result = await answering.own_result(db, actor=person, checkin_id=mine.id, now=frozen_clock.now)
    assert result.suggest_guide and [c.id for c in result.history] == [mine.id]
    with pytest.raises(NotFound):
        await answering.own_result(db, actor=person, checkin_id=theirs.id, now=frozen_clock.now)
