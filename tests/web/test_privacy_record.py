"""What the young person sees and takes of their own data: the readable record (words,
names, Danish dates, printable), the JSON file, and "Hvem har set mine data" grouped
per day and paged."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from babel.dates import format_date

from app.clock import at_copenhagen_time, copenhagen_today
from app.models import Role
from app.security.audit import open_youth
from app.services.privacy.seen import PAGE_SIZE
from tests.factories.checkins import answer_who5
from tests.factories.people import make_user, sign_in
from tests.unit.test_privacy_record_complete import a_young_person_with_something_in_every_table


async def signed_in_with_a_full_record(client, db, settings, frozen_clock):
    person, youth, guide = await a_young_person_with_something_in_every_table(db, frozen_clock.now)
    await sign_in(client, db, person, settings, frozen_clock.now)
    return person, youth, guide


async def test_the_readable_record_has_questions_names_and_danish_dates(
    client, db, settings, frozen_clock
):
    await signed_in_with_a_full_record(client, db, settings, frozen_clock)
    page = await client.get("/me/data/all")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Alle mine data</h1>" in text
    assert "… har jeg været glad og i godt humør" in text and "q1" not in text
    assert "Camilla Holm (ungeguide)" in text
    assert "Ringede, hun har det bedre" in text  # the guide's note on a check-in alert
    for title in ("Din plan", "Ændringer i din plan", "Dine ungeguider", "Skift af ungeguide"):
        assert title in text
    day = frozen_clock.now
    months = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december"]  # fmt: skip
    assert f"{day.day}. {months[day.month - 1][:3]}" in text  # "2. mar. 2026 kl. 10.00"
    assert 'href="/me/export.json"' in text
    assert "Så din plan" in text and "plan.view" not in text  # who has seen, in words
    for secret in ("654321", "challenge-secret", "s3cr3t"):
        assert secret not in text


async def test_taking_the_record_is_in_my_own_log(client, db, settings, frozen_clock):
    await signed_in_with_a_full_record(client, db, settings, frozen_clock)
    download = await client.get("/me/export.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["format"] == "trinvis-export-2" and data["checkin_alerts"]
    assert data["checkin_answers"][0]["question"].startswith("I de sidste 2 uger")
    log = (await client.get("/me/audit")).text
    assert "Du hentede alle dine data" in log


@pytest.mark.time_dependent
async def test_repeated_views_are_grouped_per_day(client, db, settings, frozen_clock):
    _person, youth, guide = await signed_in_with_a_full_record(client, db, settings, frozen_clock)
    today = copenhagen_today(frozen_clock.now)
    for minute in (5, 10, 15):  # the same Copenhagen day as the fixture's view at `now`
        at = at_copenhagen_time(today, time(0, minute))
        await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=at)
    yesterday = at_copenhagen_time(today - timedelta(days=1), time(23, 55))
    await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=yesterday)
    await open_youth(
        db, actor=guide, youth_id=youth.id, action="message.view", now=frozen_clock.now
    )
    page = (await client.get("/me/audit")).text
    # Four looks at the plan today are one line; yesterday's is a line of its own.
    assert page.count("Så din plan") == 2
    assert "4 gange" in page
    assert "Så dine beskeder" in page


@pytest.mark.time_dependent
async def test_a_long_history_comes_a_page_at_a_time(client, db, settings, frozen_clock):
    _person, youth, guide = await signed_in_with_a_full_record(client, db, settings, frozen_clock)
    today = copenhagen_today(frozen_clock.now)
    days = [today - timedelta(days=n) for n in range(1, PAGE_SIZE + 6)]  # 25 earlier days
    for day in days:
        at = at_copenhagen_time(day, time(12))
        await open_youth(db, actor=guide, youth_id=youth.id, action="plan.view", now=at)
    first = (await client.get("/me/audit")).text
    assert first.count('class="card"') == PAGE_SIZE
    assert 'href="/me/audit?page=2"' in first and "Ældre" in first
    second = (await client.get("/me/audit?page=2")).text
    assert second.count('class="card"') == 6  # today's group and 25 earlier days, less 20
    assert 'href="/me/audit?page=1"' in second and 'href="/me/audit?page=3"' not in second
    oldest = format_date(days[-1], "d. MMMM y", locale="da")
    assert f">{oldest}<" in second and f">{oldest}<" not in first


async def test_staff_have_no_record_or_log_of_their_own(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    for path in ("/me/data/all", "/me/export.json", "/me/audit", "/me/welcome"):
        assert (await client.get(path)).status_code == 403


async def test_a_check_in_shows_its_answers_in_words(client, db, settings, frozen_clock):
    person, _youth, _guide = await signed_in_with_a_full_record(client, db, settings, frozen_clock)
    await answer_who5(db, actor=person, score=64, now=frozen_clock.now + timedelta(days=1))
    text = (await client.get("/me/data/all")).text
    assert "Det meste af tiden" in text or "Lidt mere end halvdelen af tiden" in text
