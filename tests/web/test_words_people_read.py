"""Words people read on the way (issue 19 #19): plain headings, dates as people say them,
no advice that does not fit the person's situation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.clock import copenhagen_today
from app.demo import load_demo_data
from app.models import Cover, Role, User
from app.web.timefmt import format_date
from tests.factories.people import (
    T0,
    ensure_csrf,
    make_team,
    make_user,
    make_youth,
    sign_in,
    user_of,
)
from tests.factories.workspace import message

pytestmark = pytest.mark.time_dependent

KEY = "fedcba9876543210fedcba9876543210"


async def test_a_missing_page_says_so_in_its_heading(client):
    page = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "<h1>Siden findes ikke</h1>" in page.text
    assert "Det kunne vi ikke" not in page.text


async def test_a_cover_reads_through_its_last_day_not_until_midnight_after(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    team = await make_team(db)
    absent = await make_user(db, team_id=team.id)
    covering = await make_user(db, team_id=team.id)
    leader = await make_user(db, Role.leader, team_id=team.id)
    await make_youth(db, guide=absent)
    today = copenhagen_today(now)
    last_day = today + timedelta(days=3)
    await sign_in(client, db, leader, settings, now)
    form = {
        "absent_guide_id": str(absent.id),
        "covering_guide_id": str(covering.id),
        "starts_on": today.isoformat(),
        "ends_on": last_day.isoformat(),
        "client_key": KEY,
    }
    assert (await client.post("/leader/covers", data=form)).status_code == 303
    assert (await db.exec(select(Cover))).one()
    team_page = " ".join((await client.get("/leader/team")).text.split())
    assert f"– {format_date(last_day, 'd. MMM y')}</td>" in team_page
    assert "00:00" not in team_page

    client.cookies.clear()
    await sign_in(client, db, covering, settings, now)
    caseload = " ".join((await client.get("/")).text.split())
    assert f"Til og med {format_date(last_day, 'EEEE d. MMMM')}." in caseload
    assert "kl. 00:00" not in caseload


async def test_contact_today_reads_today_not_zero_days_ago(client, db, settings, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await message(db, youth, await user_of(db, youth), now)
    await sign_in(client, db, guide, settings, now)
    page = await client.get("/")
    assert 'data-label="Seneste kontakt">I dag</td>' in page.text
    assert "0 dage siden" not in page.text


async def test_a_deactivated_demo_guide_is_not_offered_and_cannot_sign_in(client, db, app):
    app.state.settings.demo_mode = True
    await load_demo_data(db, now=T0)
    guide = (await db.exec(select(User).where(User.role == Role.guide))).first()
    assert guide is not None
    guide.is_active = False
    db.add(guide)
    await db.flush()
    page = await client.get("/login")
    assert f'value="{guide.id}"' not in page.text
    await ensure_csrf(client)
    response = await client.post("/demo/sign-in", data={"user_id": guide.id, "next": "/"})
    assert response.status_code == 403
    assert "Personen er deaktiveret og kan ikke længere logge ind." in response.text
    assert "Vi kunne ikke finde siden" not in response.text


async def test_a_failed_passkey_add_does_not_tell_a_signed_in_person_to_use_a_code(
    client, db, settings, frozen_clock
):
    youth = await make_youth(db)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    response = await client.post("/me/passkeys", json={"id": "x", "response": {}})
    assert response.status_code == 400
    assert "Det virkede ikke. Prøv igen." in response.text
    assert "kode" not in response.text
    devices = await client.get("/me/devices")
    assert "Det virkede ikke. Prøv igen.</p>" in devices.text
