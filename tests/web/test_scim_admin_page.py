"""The admin's SCIM page: a connection's token is shown once and works; group mappings;
bad input is refused next to the field; the change log names the IdP."""

from __future__ import annotations

import re

from sqlmodel import select

from app.models import AdminChange, ScimConnection, ScimGroupMapping
from tests.factories.people import make_team
from tests.web.test_admin_staff import admin_signed_in


async def test_admin_connects_an_idp_and_the_token_shown_once_works(
    client, db, settings, frozen_clock
):
    await admin_signed_in(client, db, settings, frozen_clock)
    page = await client.post("/admin/scim", data={"name": "Entra ID", "default_role": "guide"})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    [token] = re.findall(r"scim_[A-Za-z0-9_\-]{40,}", page.text)
    assert "http://127.0.0.1:8000/scim/v2" in page.text
    connection = (await db.exec(select(ScimConnection))).one()
    assert token not in connection.token_hash and connection.token_hint == token[-4:]
    # Shown once: the page itself never shows it again.
    assert token not in (await client.get("/admin/scim")).text

    answer = await client.get(
        "/scim/v2/ServiceProviderConfig", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    assert answer.json()["patch"]["supported"] is True

    fresh = await client.post(f"/admin/scim/{connection.id}/token")
    [new_token] = re.findall(r"scim_[A-Za-z0-9_\-]{40,}", fresh.text)
    old = await client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401
    new = await client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {new_token}"})
    assert new.status_code == 200
    actions = (await db.exec(select(AdminChange.action))).all()
    assert actions == ["scim.connection.create", "scim.connection.new_token"]


async def test_a_duplicate_name_is_refused_next_to_the_field(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    await client.post("/admin/scim", data={"name": "Keycloak", "default_role": "guide"})
    again = await client.post("/admin/scim", data={"name": "keycloak", "default_role": "leader"})
    assert again.status_code == 422
    assert "Der findes allerede en forbindelse med dette navn." in again.text
    assert 'value="keycloak"' in again.text


async def test_admin_maps_a_group_to_a_role_and_team(client, db, settings, frozen_clock):
    await admin_signed_in(client, db, settings, frozen_clock)
    team = await make_team(db, "Team Syd")
    await client.post("/admin/scim", data={"name": "Entra ID", "default_role": "guide"})
    connection = (await db.exec(select(ScimConnection))).one()
    empty = await client.post(
        "/admin/scim/mappings",
        data={"connection_id": connection.id, "group_name": "Ledere", "role": "", "team_id": ""},
    )
    assert empty.status_code == 422
    assert "Vælg en rolle, et team eller begge." in empty.text, re.findall(
        r"field-error[^<]*<", empty.text
    )
    saved = await client.post(
        "/admin/scim/mappings",
        data={
            "connection_id": connection.id,
            "group_name": "Ledere",
            "role": "leader",
            "team_id": team.id,
        },
    )
    assert saved.status_code == 303
    mapping = (await db.exec(select(ScimGroupMapping))).one()
    assert (mapping.group_name, mapping.role, mapping.team_id) == ("ledere", "leader", team.id)
    page = await client.get("/admin/scim?mapped=1")
    assert "ledere" in page.text and "Team Syd" in page.text
    removed = await client.post(f"/admin/scim/mappings/{mapping.id}/delete")
    assert removed.status_code == 303
    assert (await db.exec(select(ScimGroupMapping))).first() is None
