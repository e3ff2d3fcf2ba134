"""Dates and weekdays read naturally in each language: Danish "mandag–onsdag" and
"27. okt. 2026 kl. 08:00"; English "Monday–Wednesday" and "27 Oct 2026 at 08:00"."""

from __future__ import annotations

from datetime import UTC, datetime

from app.i18n import set_locale
from app.models import GuideWorkingHours, Role
from app.web.timefmt import format_date, format_datetime
from tests.factories.people import ensure_csrf, make_user, make_youth, sign_in, user_of


def test_dates_follow_each_language_pattern():
    at = datetime(2026, 10, 27, 7, 0, tzinfo=UTC)  # 08:00 in Copenhagen
    set_locale("en")
    try:
        assert format_datetime(at) == "27 Oct 2026 at 08:00"
        assert format_date(at) == "27 October 2026"
        assert format_datetime(at, "EEEE d. MMMM 'kl.' HH:mm") == "Tuesday 27 October at 08:00"
    finally:
        set_locale("da")
    assert format_datetime(at) == "27. okt. 2026 kl. 08:00"
    assert format_date(at) == "27. oktober 2026"


async def test_a_guides_working_days_read_as_a_sentence_in_each_language(
    client, db, settings, frozen_clock
):
    guide = await make_user(db, Role.guide, name="Anna Guide")
    assert guide.id is not None
    for weekday in range(3):
        db.add(
            GuideWorkingHours(guide_id=guide.id, weekday=weekday, start_minute=480, end_minute=900)
        )
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)

    page = await client.get("/messages")
    assert "Anna arbejder mandag–onsdag 08:00–15:00." in " ".join(page.text.split())

    await ensure_csrf(client)
    await client.post("/language", data={"locale": "en", "next": "/messages"})
    page = await client.get("/messages")
    assert "Anna works Monday–Wednesday 08:00–15:00." in " ".join(page.text.split())
