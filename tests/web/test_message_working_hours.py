"""A guide sets their own working week; young people's expectations follow it."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from app.models import GuideWorkingHours, Role
from tests.factories.people import make_user, make_youth, sign_in, user_of

pytestmark = pytest.mark.time_dependent


def _week(**days: tuple[str, str]) -> dict[str, str]:
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    form: dict[str, str] = {}
    for index, name in enumerate(names):
        if name in days:
            start, end = days[name]
            form |= {f"works-{index}": "on", f"start-{index}": start, f"end-{index}": end}
        else:
            form |= {f"start-{index}": "08:00", f"end-{index}": "16:00"}
    return form


async def _rows(db, guide_id: int) -> list[tuple[int, int, int]]:
    rows = await db.exec(
        select(GuideWorkingHours)
        .where(GuideWorkingHours.guide_id == guide_id)
        .order_by(col(GuideWorkingHours.weekday))
    )
    return [(r.weekday, r.start_minute, r.end_minute) for r in rows.all()]


async def test_a_guide_sees_the_default_week_and_saves_their_own(
    client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide)
    guide_id = guide.id
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get("/guide/working-hours")
    assert page.status_code == 200
    assert page.text.count("checked") == 5  # Monday to Friday, 8-16

    week = _week(mon=("09:00", "15:30"), wed=("08:00", "12:00"), thu=("12:00", "18:00"))
    response = await client.post("/guide/working-hours", data=week)
    assert response.status_code == 303
    assert await _rows(db, guide_id) == [(0, 540, 930), (2, 480, 720), (3, 720, 1080)]

    # Saving the same week again (a retry) keeps one row per day.
    await client.post("/guide/working-hours", data=week)
    assert len(await _rows(db, guide_id)) == 3
    page = await client.get("/guide/working-hours?saved=1")
    assert "Din arbejdstid er gemt" in page.text and 'value="15:30"' in page.text


async def test_a_day_that_ends_before_it_starts_is_refused_and_nothing_changes(
    client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide)
    guide_id = guide.id
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.post(
        "/guide/working-hours", data=_week(mon=("09:00", "15:00"), tue=("16:00", "08:00"))
    )
    assert response.status_code == 422
    assert "Dagen skal slutte, efter den er startet" in response.text
    assert 'value="16:00"' in response.text  # what was typed is kept
    assert await _rows(db, guide_id) == []

    response = await client.post("/guide/working-hours", data=_week())
    assert response.status_code == 422
    assert "Vælg mindst én arbejdsdag" in response.text

    response = await client.post(
        "/guide/working-hours", data={"works-0": "on", "start-0": "ni", "end-0": "15:00"}
    )
    assert response.status_code == 422
    assert "Skriv et tidspunkt" in response.text or "14:30" in response.text


async def test_young_people_leaders_and_admins_cannot_set_working_hours(
    client, db, settings, frozen_clock
):
    for person in (
        await user_of(db, await make_youth(db)),
        await make_user(db, Role.leader),
        await make_user(db, Role.admin),
    ):
        client.cookies.clear()
        await db.refresh(person)
        await sign_in(client, db, person, settings, frozen_clock.now)
        assert (await client.get("/guide/working-hours")).status_code == 403
        assert (await client.post("/guide/working-hours", data=_week())).status_code == 403


async def test_outside_working_hours_help_lines_come_first_on_the_messages_page(
    client, db, settings, frozen_clock
):
    """On a phone the help lines once sat under the message box (issue 19 #20)."""
    from app.clock import in_copenhagen

    now = frozen_clock.now
    guide = await make_user(db, Role.guide)
    other_day = (in_copenhagen(now).weekday() + 3) % 7
    db.add(GuideWorkingHours(guide_id=guide.id, weekday=other_day, start_minute=0, end_minute=60))
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, await user_of(db, youth), settings, now)
    page = (await client.get("/messages")).text
    help_now = page.index('id="urgent-heading"')
    assert help_now < page.index('id="who-heading"') < page.index('role="log"')
    assert 'href="tel:70201201"' in page
