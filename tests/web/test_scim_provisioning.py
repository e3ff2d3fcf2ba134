"""Staff from the IdP: the requests an Entra ID provisioning cycle sends, and what
Trinvis makes of them (accounts, sessions, roles and teams, the admin change log)."""

from __future__ import annotations

from sqlmodel import col, select

from app.models import AdminChange, Role, User
from app.security.sessions import resume_session, start_session
from app.services.scim.connections import (
    ConnectionForm,
    MappingForm,
    add_mapping,
    create_connection,
    revoke_connection,
)
from tests.factories.people import make_team, make_user, make_youth, user_of

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


async def connect(db, now, **form) -> tuple[User, str, int]:
    admin = await make_user(db, Role.admin)
    made = await create_connection(
        db, actor=admin, form=ConnectionForm(name="Entra ID", **form), now=now
    )
    await db.commit()
    assert made.connection.id is not None
    return admin, made.token, made.connection.id


def entra_user(user_name: str, *, external_id: str = "7f1c", active: bool = True) -> dict:
    """The body Entra ID's provisioning service POSTs for a new user."""
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": active,
        "displayName": "Anna Andersen",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"formatted": "Anna Andersen", "familyName": "Andersen", "givenName": "Anna"},
        ENTERPRISE: {"department": "Ungeindsatsen"},
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": SCIM}


async def changes_of(db, target: str) -> list[str]:
    rows = await db.exec(
        select(AdminChange.action).where(AdminChange.target == target).order_by(col(AdminChange.id))
    )
    return list(rows.all())


async def test_an_entra_id_cycle_creates_then_deactivates_a_guide_and_ends_her_sessions(
    client, db, frozen_clock
):
    now = frozen_clock.now
    _admin, token, _ = await connect(db, now)
    headers = bearer(token)

    found = await client.get('/scim/v2/Users?filter=userName eq "anna@kommune.dk"', headers=headers)
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0

    created = await client.post(
        "/scim/v2/Users", json=entra_user("anna@kommune.dk"), headers=headers
    )
    assert created.status_code == 201, created.text
    scim_id = created.json()["id"]
    assert created.headers["Location"].endswith(f"/scim/v2/Users/{scim_id}")
    assert created.json()[ENTERPRISE]["department"] == "Ungeindsatsen"

    anna = (await db.exec(select(User).where(User.email == "anna@kommune.dk"))).one()
    assert (anna.name, anna.role, anna.is_active) == ("Anna Andersen", Role.guide, True)
    session = await start_session(db, user=anna, now=now)
    await db.commit()

    again = await client.get('/scim/v2/Users?filter=userName eq "Anna@Kommune.dk"', headers=headers)
    assert [r["id"] for r in again.json()["Resources"]] == [scim_id]

    # Entra ID sends "Replace" and the string "False".
    off = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
    }
    patched = await client.patch(f"/scim/v2/Users/{scim_id}", json=off, headers=headers)
    assert patched.status_code == 204, patched.text
    read = await client.get(f"/scim/v2/Users/{scim_id}", headers=headers)
    assert read.json()["active"] is False
    await db.refresh(anna)
    assert anna.is_active is False
    assert await resume_session(db, token=session, now=now) is None

    # The next cycle sends the same PATCH again: nothing changes twice.
    repeated = await client.patch(f"/scim/v2/Users/{scim_id}", json=off, headers=headers)
    assert repeated.status_code == 204
    assert await changes_of(db, f"user:{anna.id}") == ["scim.user.create", "scim.user.deactivate"]

    gone = await client.delete(f"/scim/v2/Users/{scim_id}", headers=headers)
    assert gone.status_code == 204
    assert (await client.get(f"/scim/v2/Users/{scim_id}", headers=headers)).status_code == 404
    await db.refresh(anna)
    assert anna.is_active is False  # kept, with her history, but closed


async def test_put_renames_and_reactivates(client, db, frozen_clock):
    _admin, token, _ = await connect(db, frozen_clock.now)
    body = entra_user("bo@kommune.dk", active=False)
    created = await client.post("/scim/v2/Users", json=body, headers=bearer(token))
    scim_id = created.json()["id"]
    bo = (await db.exec(select(User).where(User.email == "bo@kommune.dk"))).one()
    assert bo.is_active is False
    body |= {"id": scim_id, "active": True, "displayName": "Bo Berg"}
    replaced = await client.put(f"/scim/v2/Users/{scim_id}", json=body, headers=bearer(token))
    assert replaced.status_code == 200, replaced.text
    await db.refresh(bo)
    assert (bo.name, bo.is_active) == ("Bo Berg", True)
    assert await changes_of(db, f"user:{bo.id}") == [
        "scim.user.create",
        "scim.user.update",
        "scim.user.reactivate",
    ]


async def test_a_staff_member_the_admin_added_is_taken_over_not_duplicated(
    client, db, frozen_clock
):
    _admin, token, _ = await connect(db, frozen_clock.now)
    existing = await make_user(db, Role.leader, email="carl@kommune.dk", name="Carl")
    await db.commit()
    created = await client.post(
        "/scim/v2/Users", json=entra_user("carl@kommune.dk"), headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    users = (await db.exec(select(User).where(User.email == "carl@kommune.dk"))).all()
    assert [u.id for u in users] == [existing.id]
    assert await changes_of(db, f"user:{existing.id}") == ["scim.user.link"]


async def test_a_young_persons_address_is_never_taken_over(client, db, frozen_clock):
    _admin, token, _ = await connect(db, frozen_clock.now)
    youth = await user_of(db, await make_youth(db))
    youth.email = "ung@mail.dk"
    db.add(youth)
    await db.commit()
    refused = await client.post(
        "/scim/v2/Users", json=entra_user("ung@mail.dk"), headers=bearer(token)
    )
    assert refused.status_code == 409
    assert refused.json()["schemas"] == [ERROR]
    assert refused.json()["scimType"] == "uniqueness"
    await db.refresh(youth)
    assert youth.role == Role.youth


async def test_the_same_user_name_twice_is_a_uniqueness_conflict(client, db, frozen_clock):
    _admin, token, _ = await connect(db, frozen_clock.now)
    first = await client.post(
        "/scim/v2/Users", json=entra_user("dea@kommune.dk"), headers=bearer(token)
    )
    assert first.status_code == 201
    second = await client.post(
        "/scim/v2/Users", json=entra_user("DEA@kommune.dk"), headers=bearer(token)
    )
    assert second.status_code == 409
    assert second.json()["scimType"] == "uniqueness"
    assert len((await db.exec(select(User).where(User.email == "dea@kommune.dk"))).all()) == 1


async def test_bad_input_gets_a_scim_error(client, db, frozen_clock):
    _admin, token, _ = await connect(db, frozen_clock.now)
    no_name = await client.post(
        "/scim/v2/Users", json={"schemas": [USER_SCHEMA]}, headers=bearer(token)
    )
    assert no_name.status_code == 400
    assert no_name.json()["schemas"] == [ERROR]
    not_json = await client.post("/scim/v2/Users", content=b"{", headers=bearer(token))
    assert not_json.status_code == 400
    assert not_json.json()["schemas"] == [ERROR]


async def test_without_a_valid_token_nothing_is_served(client, db, frozen_clock):
    admin, token, connection_id = await connect(db, frozen_clock.now)
    admin_id = admin.id
    anonymous = await client.get("/scim/v2/Users")
    assert anonymous.status_code == 401
    assert anonymous.json()["schemas"] == [ERROR]
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await client.get("/scim/v2/Users", headers=bearer("scim_wrong"))
    assert wrong.status_code == 401
    created = await client.post(
        "/scim/v2/Users", json=entra_user("eva@kommune.dk"), headers={"Authorization": "Basic x"}
    )
    assert created.status_code == 401
    # The refused requests rolled back: read the admin again.
    admin = await db.get(User, admin_id, populate_existing=True)
    await revoke_connection(db, actor=admin, connection_id=connection_id, now=frozen_clock.now)
    await db.commit()
    assert (await client.get("/scim/v2/Users", headers=bearer(token))).status_code == 401


async def test_groups_give_the_role_and_team_the_admin_mapped(client, db, frozen_clock):
    now = frozen_clock.now
    admin, token, connection_id = await connect(db, now)
    team = await make_team(db, "Team Nord")
    await add_mapping(
        db,
        actor=admin,
        form=MappingForm(
            connection_id=connection_id, group_name="Trinvis-Ledere", role="leader", team_id=team.id
        ),
        now=now,
    )
    await db.commit()
    headers = bearer(token)
    user = await client.post("/scim/v2/Users", json=entra_user("finn@kommune.dk"), headers=headers)
    member = user.json()["id"]
    group = await client.post(
        "/scim/v2/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Trinvis-ledere",
            "members": [{"value": member}],
        },
        headers=headers,
    )
    assert group.status_code == 201, group.text
    finn = (await db.exec(select(User).where(User.email == "finn@kommune.dk"))).one()
    assert (finn.role, finn.team_id) == (Role.leader, team.id)

    # Entra ID removes a member with PATCH remove and a filter on the value.
    removal = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Remove", "path": f'members[value eq "{member}"]'}],
    }
    patched = await client.patch(
        f"/scim/v2/Groups/{group.json()['id']}", json=removal, headers=headers
    )
    assert patched.status_code in (200, 204), patched.text
    await db.refresh(finn)
    assert (finn.role, finn.team_id) == (Role.guide, None)
    assert await changes_of(db, f"user:{finn.id}") == [
        "scim.user.create",
        "scim.user.groups",
        "scim.user.groups",
    ]

    # Back in the group, then the group is deleted in the IdP: the role goes with it.
    add = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": member}]}],
    }
    group_url = f"/scim/v2/Groups/{group.json()['id']}"
    assert (await client.patch(group_url, json=add, headers=headers)).status_code == 204
    await db.refresh(finn)
    assert finn.role == Role.leader
    assert (await client.delete(group_url, headers=headers)).status_code == 204
    await db.refresh(finn)
    assert (finn.role, finn.team_id) == (Role.guide, None)


async def test_entra_ids_patch_forms_rename_and_change_the_address(client, db, frozen_clock):
    now = frozen_clock.now
    _admin, token, _ = await connect(db, now)
    headers = bearer(token)
    created = await client.post(
        "/scim/v2/Users", json=entra_user("gry@kommune.dk"), headers=headers
    )
    scim_id = created.json()["id"]
    changes = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Gry Hansen"},
            {"op": "Add", "path": 'emails[type eq "work"].value', "value": "gry.hansen@kommune.dk"},
            {"op": "Replace", "path": "name.familyName", "value": "Hansen"},
        ],
    }
    patched = await client.patch(f"/scim/v2/Users/{scim_id}", json=changes, headers=headers)
    assert patched.status_code == 204, patched.text
    gry = (await db.exec(select(User).where(User.email == "gry.hansen@kommune.dk"))).one()
    assert gry.name == "Gry Hansen"
    read = (await client.get(f"/scim/v2/Users/{scim_id}", headers=headers)).json()
    assert read["name"]["familyName"] == "Hansen"

    # A group member added the way Entra ID adds one.
    group = await client.post(
        "/scim/v2/Groups",
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Alle"},
        headers=headers,
    )
    add = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "Add", "path": "members", "value": [{"value": scim_id}]}],
    }
    group_id = group.json()["id"]
    assert (
        await client.patch(f"/scim/v2/Groups/{group_id}", json=add, headers=headers)
    ).status_code == 204
    members = (await client.get(f"/scim/v2/Groups/{group_id}", headers=headers)).json()["members"]
    assert [m["value"] for m in members] == [scim_id]


async def test_taking_another_accounts_address_is_refused_and_nothing_changes(
    client, db, frozen_clock
):
    _admin, token, _ = await connect(db, frozen_clock.now)
    await make_user(db, Role.guide, email="taken@kommune.dk")
    await db.commit()
    created = await client.post(
        "/scim/v2/Users", json=entra_user("hans@kommune.dk"), headers=bearer(token)
    )
    scim_id = created.json()["id"]
    change = {
        "schemas": [PATCH_OP],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Hans Nyt Navn"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "taken@kommune.dk"},
        ],
    }
    refused = await client.patch(f"/scim/v2/Users/{scim_id}", json=change, headers=bearer(token))
    assert refused.status_code == 409
    assert refused.json()["scimType"] == "uniqueness"
    hans = (await db.exec(select(User).where(User.email == "hans@kommune.dk"))).one()
    assert hans.name == "Anna Andersen"  # the name from entra_user(), not half the change
    read = (await client.get(f"/scim/v2/Users/{scim_id}", headers=bearer(token))).json()
    assert read["displayName"] == "Anna Andersen"
