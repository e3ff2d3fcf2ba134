"""*Akut* first everywhere the guide meets alerts, then the rest by how long they have
waited: the guide's WHO-5 overview, a young person's page, and the caseload."""

from __future__ import annotations

import re
from datetime import timedelta

from app.models import AlertKind, Role
from tests.factories.checkins import checkin
from tests.factories.people import make_user, make_youth, sign_in


def order_of(text: str, *names: str) -> list[str]:
    return sorted(names, key=text.index)


async def test_urgent_alerts_come_first_then_by_waiting_time(client, db, settings, frozen_clock):
    now = frozen_clock.now
    guide = await make_user(db, Role.guide)
    waiting_long = await make_youth(db, guide=guide, name="Asta Screen")
    urgent_new = await make_youth(db, guide=guide, name="Bo Urgent")
    urgent_old = await make_youth(db, guide=guide, name="Cille Urgent")
    calm = await make_youth(db, guide=guide, name="Aage Calm")
    await checkin(
        db, waiting_long, score=44, taken_at=now - timedelta(days=9), alert=AlertKind.screen_further
    )
    await checkin(
        db, urgent_new, score=24, taken_at=now - timedelta(days=1), alert=AlertKind.urgent
    )
    await checkin(
        db, urgent_old, score=24, taken_at=now - timedelta(days=3), alert=AlertKind.urgent
    )
    await checkin(db, calm, score=80, taken_at=now - timedelta(days=2))
    await sign_in(client, db, guide, settings, now)

    overview = (await client.get("/guide/checkins")).text
    expected = ["Cille Urgent", "Bo Urgent", "Asta Screen", "Aage Calm"]
    assert order_of(overview, *expected) == expected

    caseload = (await client.get("/")).text
    assert order_of(caseload, *expected) == expected


async def test_on_a_young_persons_page_urgent_comes_before_a_marked_fall(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    guide = await make_user(db, Role.guide)
    youth = await make_youth(db, guide=guide, name="Sara Nielsen")
    await checkin(db, youth, score=24, taken_at=now - timedelta(days=10), alert=AlertKind.urgent)
    await checkin(db, youth, score=60, taken_at=now - timedelta(days=6))
    await checkin(
        db, youth, score=44, taken_at=now - timedelta(days=2), alert=AlertKind.marked_fall
    )
    await sign_in(client, db, guide, settings, now)
    page = (await client.get(f"/guide/youth/{youth.id}/checkins")).text
    labels = re.findall(r'class="pill pill--(?:danger|warn)">([^<]+)<', page)
    assert labels[:2] == ["Akut", "Markant fald"]
