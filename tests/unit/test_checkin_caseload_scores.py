"""The caseload shows each young person's latest WHO-5 with an arrow, fetched in one query;
young people with open alerts come first."""

from datetime import timedelta

from app.models import CheckInAlert
from app.services.checkins.guide_side import (
    AcknowledgeForm,
    acknowledge,
    caseload_overview,
    latest_scores,
)
from tests.factories.checkins import answer_who5
from tests.factories.people import make_user, make_youth, user_of
from tests.queries import statements_sent


async def test_latest_and_previous_score_for_many_young_people_in_one_query(db, frozen_clock):
    guide = await make_user(db)
    now = frozen_clock.now
    youths = [await make_youth(db, guide=guide) for _ in range(4)]
    histories = [[72, 76, 60], [40], [52, 64], []]
    for youth, scores in zip(youths, histories, strict=True):
        person = await user_of(db, youth)
        for n, score in enumerate(scores):
            await answer_who5(db, actor=person, score=score, now=now + timedelta(days=30 * n))
    ids = [y.id for y in youths]
    with statements_sent(db) as statements:
        trends = await latest_scores(db, youth_ids=ids)
    assert len(statements) == 1
    assert set(trends) == set(ids[:3])
    falling, single, rising = (trends[i] for i in ids[:3])
    assert (falling.latest, falling.previous, falling.change, falling.arrow) == (
        60,
        76,
        -16,
        "down",
    )
    assert (single.latest, single.previous, single.arrow) == (40, None, "flat")
    assert (rising.latest, rising.previous, rising.arrow) == (64, 52, "up")
    assert falling.open_alerts == 1 and single.open_alerts == 1 and rising.open_alerts == 0


async def test_a_change_under_ten_points_is_shown_flat(db, frozen_clock):
    youth = await make_youth(db, guide=await make_user(db))
    person = await user_of(db, youth)
    await answer_who5(db, actor=person, score=60, now=frozen_clock.now)
    await answer_who5(db, actor=person, score=68, now=frozen_clock.now + timedelta(days=30))
    assert (await latest_scores(db, youth_ids=[youth.id]))[youth.id].arrow == "flat"


async def test_young_people_with_open_alerts_stay_on_top_until_acknowledged(db, frozen_clock):
    guide = await make_user(db)
    now = frozen_clock.now
    anna = await make_youth(db, guide=guide, name="Anna Aa")
    zaid = await make_youth(db, guide=guide, name="Zaid Zz")
    await answer_who5(db, actor=await user_of(db, anna), score=80, now=now)
    await answer_who5(db, actor=await user_of(db, zaid), score=24, now=now)
    other_guides = await make_youth(db, guide=await make_user(db), name="Bo Bb")
    await answer_who5(db, actor=await user_of(db, other_guides), score=20, now=now)

    rows = await caseload_overview(db, actor=guide, now=now)
    assert [r.person.name for r in rows] == ["Zaid Zz", "Anna Aa"]

    alert = (
        await db.exec(CheckInAlert.__table__.select().where(CheckInAlert.youth_id == zaid.id))
    ).first()
    await acknowledge(
        db,
        actor=guide,
        youth_id=zaid.id,
        alert_id=alert.id,
        form=AcknowledgeForm(note="Ringet op, møde i morgen."),
        now=now,
    )
    rows = await caseload_overview(db, actor=guide, now=now)
    assert [r.person.name for r in rows] == ["Anna Aa", "Zaid Zz"]
