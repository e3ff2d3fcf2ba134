"""Admins keep the teams: list, create, rename; a name is unique within the municipality."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app.models import AdminChange, Municipality, Team
from tests.factories.people import make_team, make_user
from tests.web.test_admin_staff import admin_signed_in


async def test_admin_creates_a_team_and_sees_it_listed(client, db, settings, frozen_clock):
    admin = await admin_signed_in(client, db, settings, frozen_clock)
    response = await client.post("/admin/teams", data={"name": "Ungeteam Øst"})
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/teams?created=1"
    team = (await db.exec(select(Team).where(Team.name == "Ungeteam Øst"))).one()
    page = await client.get("/admin/teams?created=1")
    assert "Ungeteam Øst" in page.text and "Teamet er oprettet." in page.text
    [change] = (await db.exec(select(AdminChange))).all()
    assert (change.action, change.target, change.actor_id) == (
        "team.create",
        f"team:{team.id}",
        admin.id,
    )


async def test_the_first_team_of_a_fresh_installation_gets_a_municipality(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    if (await db.exec(select(Municipality))).first() is not None:
        pytest.skip("the database already has a municipality")
    await client.post("/admin/teams", data={"name": "Første team"})
    assert len((await db.exec(select(Municipality))).all()) == 1


async def test_a_team_name_is_unique_in_the_municipality(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    await client.post("/admin/teams", data={"name": "Nord"})
    response = await client.post("/admin/teams", data={"name": "nord"})
    assert response.status_code == 422
    assert "Der findes allerede et team med dette navn." in response.text
    assert 'value="nord"' in response.text and 'aria-describedby="name-error"' in response.text
    response = await client.post("/admin/teams", data={"name": ""})
    assert response.status_code == 422 and "Udfyld" in response.text


async def test_the_database_refuses_a_duplicate_name_too(db):
    team = await make_team(db, "Syd")
    db.add(Team(municipality_id=team.municipality_id, name="Syd"))
    with pytest.raises(IntegrityError):
        await db.flush()
    await db.rollback()


async def test_admin_renames_a_team_and_the_change_is_logged(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    await client.post("/admin/teams", data={"name": "Nord"})
    await client.post("/admin/teams", data={"name": "Syd"})
    north = (await db.exec(select(Team).where(Team.name == "Nord"))).one()
    assert (await client.get(f"/admin/teams/{north.id}")).status_code == 200
    taken = await client.post(f"/admin/teams/{north.id}", data={"name": "SYD"})
    assert taken.status_code == 422 and 'value="SYD"' in taken.text
    response = await client.post(f"/admin/teams/{north.id}", data={"name": "Nordkysten"})
    assert response.status_code == 303
    await db.refresh(north)
    assert north.name == "Nordkysten"
    rename = (await db.exec(select(AdminChange).where(AdminChange.action == "team.rename"))).one()
    assert json.loads(rename.before) == {"name": "Nord"}
    assert json.loads(rename.after) == {"name": "Nordkysten"}
    assert "Nord → Nordkysten" in (await client.get("/admin/changes")).text


async def test_the_list_counts_active_staff_only(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    team = await make_team(db, "Vest")
    await make_user(db, team_id=team.id)
    await make_user(db, team_id=team.id, is_active=False)
    page = await client.get("/admin/teams")
    assert '<td data-label="Aktive medarbejdere">1</td>' in page.text


async def test_renaming_an_unknown_team_is_not_found(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    await db.commit()
    assert (await client.get("/admin/teams/999999")).status_code == 404
    response = await client.post("/admin/teams/999999", data={"name": "X"})
    assert response.status_code == 404
