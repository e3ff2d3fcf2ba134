"""An admin erases one young person now: on request once the course has ended, or at once
when they were created by mistake. Every row about them goes, in every table (the schema
is walked, so a new table cannot be forgotten); their sessions end; the admin change log
keeps that it happened and why, without their data. The admin also sees, in numbers,
what the retention job deletes next."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from app.demo import load_demo_data
from app.models import AdminChange, CourseStatus, Role, User, Youth
from app.notifications.outbox import enqueue
from app.security.audit import open_youth
from app.services.admin.retention import next_run
from tests.factories.people import make_user, make_youth, sign_in, user_of
from tests.unit.test_admin_retention import all_ids, owned_ids, tables

ERASE = "/admin/erasure"


async def _admin(client, db, settings, frozen_clock) -> User:
    admin = await make_user(db, Role.admin, name="Anne Admin")
    await sign_in(client, db, admin, settings, frozen_clock.now)
    return admin


async def test_a_person_created_by_mistake_is_erased_everywhere_and_signed_out(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    assert await load_demo_data(db, now=now)
    youth = (
        await db.exec(
            select(Youth).where(col(Youth.status) == CourseStatus.in_course).order_by(col(Youth.id))
        )
    ).first()
    person = await user_of(db, youth)
    youth_id, user_id, name, phone = youth.id, person.id, person.name, person.phone
    guide = await db.get(User, youth.guide_id)
    await open_youth(db, actor=guide, youth_id=youth_id, action="plan.view", now=now)
    # Waiting notifications for the guide: one about this young person, one about another.
    about = {}
    for key, about_id in (("about-them", youth_id), ("about-another", youth_id + 1)):
        about[key] = await enqueue(
            db,
            user_id=guide.id,
            kind="checkin.alert",
            dedupe_key=f"erasure-test:{key}",
            params={"youth_id": about_id},
            now=now,
        )
    # The young person is signed in on their phone.
    await sign_in(client, db, person, settings, now)
    assert (await client.get("/", follow_redirects=False)).status_code == 200
    youth_cookies = dict(client.cookies)
    owned = await owned_ids(db, youth_id, user_id)
    assert sum(1 for ids in owned.values() if ids) >= 8, owned
    owned["notification"].add(about["about-them"].id)
    assert owned["user_session"], "the young person's session is theirs to lose"
    before = await all_ids(db)

    client.cookies.clear()
    await _admin(client, db, settings, frozen_clock)
    form = {"address": phone, "reason": "mistake"}
    shown = await client.post(ERASE, data=form)
    assert shown.status_code == 200
    assert f"Slet ung nr. {youth_id}?" in shown.text and name not in shown.text
    assert (await db.get(Youth, youth_id)) is not None  # nothing deleted before the yes
    done = await client.post(ERASE, data={**form, "confirm": "true"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{ERASE}?erased={youth_id}"

    db.expunge_all()
    after = await all_ids(db)
    for table_name in tables():
        gone = before[table_name] - after[table_name]
        expected = owned.get(table_name, set())
        if table_name == "admin_change":
            assert gone == set()
            continue
        assert gone == expected, f"{table_name}: deleted {sorted(gone)}, not {sorted(expected)}"
    change = (await db.exec(select(AdminChange).where(AdminChange.action == "person.erase"))).one()
    assert change.target == f"youth:{youth_id}" and json.loads(change.after) == {
        "reason": "mistake"
    }
    assert name not in change.before + change.after + change.target_label
    changes_page = await client.get("/admin/changes")
    assert "Ung slettet af en administrator" in changes_page.text
    assert name not in changes_page.text

    # Signed out everywhere: the phone's cookie no longer opens anything.
    client.cookies.clear()
    client.cookies.update(youth_cookies)
    assert (await client.get("/", follow_redirects=False)).status_code == 401


async def test_on_request_the_active_course_must_end_first(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    youth_id = youth.id
    await _admin(client, db, settings, frozen_clock)
    form = {"address": person.phone, "reason": "request", "confirm": "true"}
    refused = await client.post(ERASE, data=form)
    assert refused.status_code == 422
    assert "stadig aktivt" in refused.text
    assert f'value="{person.phone}"' in refused.text  # what the admin typed is kept
    youth = await db.get(Youth, youth_id)
    assert youth is not None

    youth.status = CourseStatus.ended
    db.add(youth)
    await db.flush()
    done = await client.post(ERASE, data=form, follow_redirects=False)
    assert done.status_code == 303
    db.expunge_all()
    assert await db.get(Youth, youth_id) is None
    # A retry of the same erasure finds no one and deletes nothing more.
    again = await client.post(ERASE, data=form)
    assert again.status_code == 422 and "Ingen ung har" in again.text
    erasures = await db.exec(select(AdminChange).where(AdminChange.action == "person.erase"))
    assert len(erasures.all()) == 1


async def test_staff_cannot_be_erased_and_an_unreadable_address_is_refused(
    client, db, settings, frozen_clock
):
    colleague = await make_user(db, Role.guide, phone="+4520202020")
    await _admin(client, db, settings, frozen_clock)
    for address, message in (("+4520202020", "Ingen ung har"), ("hej", "Skriv et telefonnummer")):
        page = await client.post(ERASE, data={"address": address, "reason": "mistake"})
        assert page.status_code == 422 and message in page.text
    assert await db.get(User, colleague.id) is not None


@pytest.mark.parametrize("role", [Role.guide, Role.leader])
@pytest.mark.parametrize("method, path", [("POST", ERASE), ("GET", "/admin/retention")])
async def test_guides_and_leaders_cannot_erase(
    client, db, settings, frozen_clock, role, method, path
):
    youth = await make_youth(db)
    form = {"address": (await user_of(db, youth)).phone, "reason": "mistake", "confirm": "true"}
    await sign_in(client, db, await make_user(db, role), settings, frozen_clock.now)
    response = await client.request(method, path, data=form if method == "POST" else None)
    assert response.status_code in (403, 404)


async def test_the_admin_sees_what_the_next_run_deletes_in_numbers_only(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    assert await load_demo_data(db, now=now)
    await _admin(client, db, settings, frozen_clock)
    expected = await next_run(db, now=now)
    assert expected.notifications > 0  # the demo's half year holds old notifications
    page = await client.get("/admin/retention")
    assert page.status_code == 200
    assert f"{expected.notifications} poster slettes" in page.text
    assert "60 måneder" in page.text and "30 dage" in page.text
    names = (await db.exec(select(User.name).where(User.role == Role.youth))).all()
    assert not [n for n in names if n in page.text]
