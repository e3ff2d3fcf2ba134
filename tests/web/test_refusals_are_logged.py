"""Refused requests are logged: who (by id), what (route), when, and from where."""

from __future__ import annotations

import logging

from app.models import Role
from tests.factories.people import make_user, make_youth, sign_in


def _refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "event", None) == "access_refused"]


async def test_a_guide_changing_the_id_in_the_address_is_logged_by_ids(
    client, db, settings, frozen_clock, caplog
):
    guide, other = await make_user(db, Role.guide), await make_user(db, Role.guide)
    theirs = await make_youth(db, guide=other, name="Sofie Lund Kragh")
    guide_id, youth_id = guide.id, theirs.id
    await sign_in(client, db, guide, settings, frozen_clock.now)
    caplog.set_level(logging.INFO)

    assert (await client.get(f"/guide/youth/{youth_id}")).status_code == 404

    [refusal] = _refusals(caplog)
    assert (refusal.user_id, refusal.youth_id, refusal.reason) == (
        guide_id,
        youth_id,
        "youth_scope",
    )
    assert not any("Sofie" in r.getMessage() for r in caplog.records)


async def test_a_role_refusal_names_the_route_and_the_address(
    client, db, settings, frozen_clock, caplog
):
    youth_person = await make_user(db, Role.youth, phone="+4530999111")
    person_id = youth_person.id
    await sign_in(client, db, youth_person, settings, frozen_clock.now)
    caplog.set_level(logging.INFO)

    assert (await client.get("/admin/staff")).status_code == 403

    [refusal] = _refusals(caplog)
    assert refusal.user_id == person_id
    assert refusal.route == "/admin/staff"
    assert refusal.ip  # the test client's address
