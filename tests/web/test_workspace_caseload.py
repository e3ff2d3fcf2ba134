"""The guide's start page: who needs me today, in one look and a bounded number of queries."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import func, select

from app.models import AlertKind, AuditRecord, ReadinessGroup
from app.services.workspace.caseload import CaseloadFilters, guide_caseload
from tests.factories.checkins import checkin
from tests.factories.people import make_cover, make_user, make_youth, sign_in, user_of
from tests.factories.workspace import busy_youth, message
from tests.queries import statements_sent

pytestmark = pytest.mark.time_dependent


async def _page_queries(client, db, engine, settings, now, size: int) -> int:
    guide = await make_user(db)
    for n in range(size):
        await busy_youth(db, guide, now, n)
    await sign_in(client, db, guide, settings, now)
    with statements_sent(engine) as sent:
        response = await client.get("/")
    assert response.status_code == 200
    assert response.text.count('data-youth-id="') == size
    return len(sent)


async def test_caseload_page_costs_the_same_queries_for_5_and_for_50(
    client, db, engine, settings, frozen_clock
):
    small = await _page_queries(client, db, engine, settings, frozen_clock.now, 5)
    client.cookies.clear()
    large = await _page_queries(client, db, engine, settings, frozen_clock.now, 50)
    assert small == large
    assert small < 30


async def test_urgent_alert_and_risk_flag_come_first_then_longest_waiting(db, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    calm = await make_youth(db, guide=guide, name="Anna Rolig")
    waiting_long = await make_youth(db, guide=guide, name="Bo Venter")
    waiting_short = await make_youth(db, guide=guide, name="Cai Venter")
    urgent = await make_youth(db, guide=guide, name="Dina Hastende")
    await message(db, calm, guide, now - timedelta(days=1))
    await message(db, waiting_long, await user_of(db, waiting_long), now - timedelta(days=2))
    await message(db, waiting_short, await user_of(db, waiting_short), now - timedelta(hours=2))
    await checkin(
        db,
        urgent,
        score=20,
        taken_at=now - timedelta(days=1),
        recorded_by=guide,
        alert=AlertKind.urgent,
    )
    load = await guide_caseload(db, actor=guide, now=now)
    names = [row.name for row in load.sections[0].rows]
    assert names == ["Dina Hastende", "Bo Venter", "Cai Venter", "Anna Rolig"]
    top = load.sections[0].rows[0]
    assert top.urgent_alerts == 1 and top.who5 is not None and top.who5.latest == 20
    assert load.sections[0].rows[1].waiting_since == now - timedelta(days=2)
    assert load.sections[0].rows[1].unread == 1
    assert load.sections[0].rows[3].contact_days == 1


async def test_without_contact_the_longest_silent_comes_first(db, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    recent = await make_youth(db, guide=guide, name="Aske Nylig")
    never = await make_youth(db, guide=guide, name="Bent Aldrig")
    old = await make_youth(db, guide=guide, name="Carla Gammel")
    await message(db, recent, guide, now - timedelta(days=1))
    await message(db, old, await user_of(db, old), now - timedelta(days=30), read=True)
    await message(db, old, guide, now - timedelta(days=29))
    load = await guide_caseload(db, actor=guide, now=now)
    assert [r.name for r in load.sections[0].rows] == [
        "Bent Aldrig",
        "Carla Gammel",
        "Aske Nylig",
    ]
    assert never.id == load.sections[0].rows[0].youth_id


async def test_filters_and_search_narrow_the_list(client, db, settings, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    await make_youth(
        db, guide=guide, name="Sara Nielsen", readiness_group=ReadinessGroup.activity_ready
    )
    await make_youth(db, guide=guide, name="Omar Hansen")
    flagged = await busy_youth(db, guide, now, 1)
    await sign_in(client, db, guide, settings, now)
    page = await client.get("/", params={"q": "sara"})
    assert "Sara Nielsen" in page.text and "Omar Hansen" not in page.text
    page = await client.get("/", params={"group": "activity_ready"})
    assert "Sara Nielsen" in page.text and "Omar Hansen" not in page.text
    page = await client.get("/", params={"flagged": "1"}, headers={"HX-Request": "true"})
    assert page.text.lstrip().startswith('<div id="caseload"')
    assert f'data-youth-id="{flagged.id}"' in page.text and "Sara Nielsen" not in page.text
    page = await client.get("/", params={"group": "nonsense", "status": "x"})
    assert page.status_code == 200 and "Omar Hansen" in page.text


async def test_search_is_not_fooled_by_wildcards(db, frozen_clock):
    guide = await make_user(db)
    await make_youth(db, guide=guide, name="Ida Møller")
    load = await guide_caseload(
        db, actor=guide, now=frozen_clock.now, filters=CaseloadFilters(q="%")
    )
    assert load.shown == 0


async def test_a_caseload_above_25_warns(client, db, settings, frozen_clock):
    guide = await make_user(db)
    for _ in range(26):
        await make_youth(db, guide=guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get("/")
    assert "over 25" in page.text or "above 25" in page.text


async def test_covered_young_people_have_their_own_section_until_the_cover_ends(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    me, absent = await make_user(db), await make_user(db, name="Mads Kjær")
    theirs = await make_youth(db, guide=absent, name="Yasmin Ahmadi")
    await make_cover(
        db,
        absent=absent,
        covering=me,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )
    load = await guide_caseload(db, actor=me, now=now)
    assert load.sections[1].covering_for.id == absent.id
    assert [r.youth_id for r in load.sections[1].rows] == [theirs.id]
    await sign_in(client, db, me, settings, now)
    page = await client.get("/")
    assert "Dækker for Mads Kjær" in page.text and "Yasmin Ahmadi" in page.text
    later = await guide_caseload(db, actor=me, now=now + timedelta(days=3))
    assert len(later.sections) == 1 and later.shown == 0


async def test_the_list_writes_no_audit_record(client, db, settings, frozen_clock):
    guide = await make_user(db)
    await busy_youth(db, guide, frozen_clock.now, 1)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    assert (await client.get("/")).status_code == 200
    assert (await db.exec(select(func.count()).select_from(AuditRecord))).one() == 0


async def test_a_search_writes_one_audit_record_with_its_words_never_in_the_log(
    client, db, settings, frozen_clock, caplog
):
    guide = await make_user(db)
    await make_youth(db, guide=guide, name="Sara Nielsen")
    await sign_in(client, db, guide, settings, frozen_clock.now)
    caplog.set_level(logging.INFO)
    page = await client.get("/", params={"q": "Nielsen"}, headers={"HX-Request": "true"})
    assert "Sara Nielsen" in page.text
    record = (await db.exec(select(AuditRecord))).one()
    assert (record.actor_id, record.youth_id, record.action) == (guide.id, None, "search")
    assert record.detail == "Nielsen" and record.at == frozen_clock.now
    # The app's own log lines with every field (the test client's own line is not ours).
    ours = [vars(r) for r in caplog.records if r.name.startswith("trinvis")]
    assert ours and "Nielsen" not in str(ours)


@pytest.mark.parametrize("role", ["leader", "admin"])
async def test_leaders_and_admins_do_not_get_the_caseload(client, db, settings, frozen_clock, role):
    from app.models import Role

    guide = await make_user(db)
    await make_youth(db, guide=guide, name="Hemmelig Ungesen")
    other = await make_user(db, Role(role))
    await sign_in(client, db, other, settings, frozen_clock.now)
    page = await client.get("/")
    assert page.status_code == 200 and "Hemmelig Ungesen" not in page.text


async def test_an_unanswered_follow_up_is_not_overdue_after_the_course_ended(
    client, db, settings, frozen_clock
):
    """The caseload once showed "Forfalden" for a course that had ended (issue 19 #8)."""
    from app.clock import copenhagen_today
    from tests.factories.followups import start

    started = frozen_clock.now
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    youth_id = youth.id
    await start(db, guide=guide, youth=youth, starts_on=copenhagen_today(started), now=started)
    now = frozen_clock.now = started + timedelta(days=12)  # the first follow-up is overdue
    today = copenhagen_today(now)
    await sign_in(client, db, guide, settings, now)
    before = await client.get("/")
    assert "Forfalden" in before.text

    ended = await client.post(
        f"/guide/youth/{youth_id}/course-end",
        data={"ended_on": today.isoformat(), "outcome": "education"},
    )
    assert ended.status_code == 303
    after = await client.get("/")
    assert "Forfalden" not in after.text
    assert 'data-label="Næste opfølgning">–</td>' in after.text
