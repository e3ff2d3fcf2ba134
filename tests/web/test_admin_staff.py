"""Admins edit staff: role and team, deactivate (every session ends at once), reactivate.

Every change lands in the admin change log, never in a young person's "who has seen my data".
"""

from __future__ import annotations

import json

import httpx
from sqlmodel import select

from app.models import AdminChange, AuditRecord, Role, User, UserSession
from app.security.sessions import start_session
from tests.conftest import BASE_URL
from tests.factories.people import make_team, make_user, make_youth, sign_in, user_of


async def admin_signed_in(client, db, settings, frozen_clock) -> User:
    admin = await make_user(db, Role.admin, name="Lone Admin")
    await sign_in(client, db, admin, settings, frozen_clock.now)
    return admin


async def changes(db, action: str) -> list[AdminChange]:
    rows = await db.exec(select(AdminChange).where(AdminChange.action == action))
    return list(rows.all())


async def test_admin_changes_a_staff_members_role_and_team(client, db, settings, frozen_clock):
    admin = await admin_signed_in(client, db, settings, frozen_clock)
    north, south = await make_team(db, "Nord"), await make_team(db, "Syd")
    guide = await make_user(db, Role.guide, name="Anna Guide", team_id=north.id)
    page = await client.get(f"/admin/staff/{guide.id}")
    assert page.status_code == 200 and "Anna Guide" in page.text
    response = await client.post(
        f"/admin/staff/{guide.id}",
        data={"name": "Anna Guide", "role": "leader", "team_id": str(south.id)},
    )
    assert response.status_code == 303
    await db.refresh(guide)
    assert guide.role == Role.leader and guide.team_id == south.id
    [change] = await changes(db, "staff.edit")
    assert change.actor_id == admin.id and change.target == f"user:{guide.id}"
    assert json.loads(change.before) == {"role": "guide", "team": "Nord"}
    assert json.loads(change.after) == {"role": "leader", "team": "Syd"}
    log = await client.get("/admin/changes")
    assert "Medarbejder ændret" in log.text and "Nord → Syd" in log.text


async def test_the_edit_form_explains_errors_and_keeps_what_was_typed(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide)
    response = await client.post(
        f"/admin/staff/{guide.id}", data={"name": "Ny Navn", "role": "boss", "team_id": "999999"}
    )
    assert response.status_code == 422
    assert 'value="Ny Navn"' in response.text
    assert 'aria-describedby="role-error"' in response.text
    response = await client.post(
        f"/admin/staff/{guide.id}", data={"name": "Ny Navn", "role": "guide", "team_id": "999999"}
    )
    assert response.status_code == 422 and 'aria-describedby="team_id-error"' in response.text
    assert await changes(db, "staff.edit") == []


async def test_an_admin_cannot_demote_or_deactivate_themselves(client, db, settings, frozen_clock):
    admin = await admin_signed_in(client, db, settings, frozen_clock)
    await db.commit()
    response = await client.post(
        f"/admin/staff/{admin.id}", data={"name": admin.name, "role": "guide"}
    )
    assert response.status_code == 422
    assert "Du kan ikke fjerne din egen administratorrolle" in response.text
    response = await client.post(f"/admin/staff/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "Du kan ikke deaktivere dig selv" in response.text
    await db.refresh(admin)
    assert admin.role == Role.admin and admin.is_active


async def test_a_guide_with_young_people_keeps_the_guide_role_until_handed_over(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide)
    await make_youth(db, guide=guide)
    response = await client.post(
        f"/admin/staff/{guide.id}", data={"name": guide.name, "role": "leader"}
    )
    assert response.status_code == 422 and "skal overdrage dem" in response.text


async def test_deactivating_ends_every_session_at_once(app, client, db, settings, frozen_clock):
    admin_id = (await admin_signed_in(client, db, settings, frozen_clock)).id
    guide = await make_user(db, Role.guide, name="Bo Guide")
    guide_id = guide.id
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as guides_phone:
        await sign_in(guides_phone, db, guide, settings, frozen_clock.now)
        await start_session(db, user=guide, now=frozen_clock.now)
        assert (await guides_phone.get("/guide/calls")).status_code == 200
        response = await client.post(f"/admin/staff/{guide_id}/deactivate")
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin/staff/{guide_id}?deactivated=1"
        # The very next request of the guide's signed-in browser is bounced.
        bounced = await guides_phone.get("/guide/calls", headers={"Accept": "application/json"})
        assert bounced.status_code == 401
    sessions = (await db.exec(select(UserSession).where(UserSession.user_id == guide_id))).all()
    assert len(sessions) == 2 and all(s.ended_at == frozen_clock.now for s in sessions)
    assert not (await db.get(User, guide_id)).is_active
    [change] = await changes(db, "staff.deactivate")
    assert change.actor_id == admin_id and change.target_label == "Bo Guide"
    assert "Deaktiveret" in (await client.get("/admin/staff")).text


async def test_deactivating_a_guide_with_young_people_warns_about_the_handover(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide, name="Camilla Guide")
    await make_youth(db, guide=guide)
    await make_youth(db, guide=guide)
    before = await client.get(f"/admin/staff/{guide.id}")
    assert "2 unge er tilknyttet denne ungeguide" in before.text
    response = await client.post(f"/admin/staff/{guide.id}/deactivate")
    assert response.status_code == 303
    after = await client.get(response.headers["location"])
    assert "2 unge er stadig tilknyttet Camilla Guide" in after.text
    assert "Skal overdrages" in (await client.get("/admin/staff")).text


async def test_a_reactivated_person_can_use_trinvis_again(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    leader = await make_user(db, Role.leader, is_active=False)
    response = await client.post(f"/admin/staff/{leader.id}/reactivate")
    assert response.status_code == 303
    await db.refresh(leader)
    assert leader.is_active
    [change] = await changes(db, "staff.reactivate")
    assert json.loads(change.after) == {"active": True}


async def test_adding_staff_is_in_the_change_log(client, db, settings, frozen_clock):
    admin = await admin_signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/admin/staff", data={"name": "Ny Leder", "email": "ny@kommune.dk", "role": "leader"}
    )
    assert response.status_code == 303
    [change] = await changes(db, "staff.add")
    assert change.actor_id == admin.id and change.target_label == "Ny Leder"
    assert json.loads(change.after)["role"] == "leader"


async def test_the_admin_never_reaches_a_young_persons_account(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    person_id = (await user_of(db, await make_youth(db))).id
    # Committed (a savepoint release) so refused requests, which roll back, keep it.
    await db.commit()
    assert (await client.get(f"/admin/staff/{person_id}")).status_code == 404
    assert (await client.post(f"/admin/staff/{person_id}/deactivate")).status_code == 404
    data = {"name": "X", "role": "guide"}
    assert (await client.post(f"/admin/staff/{person_id}", data=data)).status_code == 404
    person = await db.get(User, person_id)
    assert person.is_active and person.role == Role.youth


async def test_admin_changes_never_show_in_a_young_persons_audit_log(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    guide = await make_user(db, Role.guide)
    await client.post(f"/admin/staff/{guide.id}/deactivate")
    await client.post("/admin/teams", data={"name": "Ungeteam Øst"})
    assert (await db.exec(select(AuditRecord))).all() == []


async def test_only_admins_reach_the_admin_pages(app, db, settings, frozen_clock):
    target = await make_user(db, Role.guide)
    team = await make_team(db)
    youth_user = await user_of(db, await make_youth(db))
    people = [await make_user(db, Role.guide), await make_user(db, Role.leader), youth_user]
    target_id, roles = target.id, [person.role for person in people]
    await db.commit()
    requests = [
        ("GET", f"/admin/staff/{target.id}", None),
        ("POST", f"/admin/staff/{target.id}", {"name": "X", "role": "admin"}),
        ("POST", f"/admin/staff/{target.id}/deactivate", None),
        ("POST", f"/admin/staff/{target.id}/reactivate", None),
        ("GET", "/admin/teams", None),
        ("POST", "/admin/teams", {"name": "Nyt team"}),
        ("GET", f"/admin/teams/{team.id}", None),
        ("POST", f"/admin/teams/{team.id}", {"name": "Omdøbt"}),
        ("GET", "/admin/settings", None),
        ("POST", "/admin/settings", {"retention_months": "12"}),
        ("GET", "/admin/changes", None),
    ]
    for person_id, role in zip([p.id for p in people], roles, strict=True):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE_URL
        ) as browser:
            await sign_in(browser, db, await db.get(User, person_id), settings, frozen_clock.now)
            await db.commit()
            for method, path, data in requests:
                response = await browser.request(method, path, data=data)
                assert response.status_code == 403, (role, method, path)
    target = await db.get(User, target_id)
    assert target.is_active and target.role == Role.guide
    assert (await db.exec(select(AdminChange))).all() == []
