"""An IdP sending the same SCIM request many times at once (its retries overlap):
one account, one change in the log, and every answer a SCIM answer (never a 500)."""

from __future__ import annotations

from sqlmodel import select

from app.clock import utcnow
from app.models import AdminChange, Role, User
from app.services.scim.connections import ConnectionForm, create_connection
from tests.factories.people import make_user
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


async def test_one_user_created_and_deactivated_at_once_counts_once(real_app, real_engine):
    async with committed(real_engine) as db:
        admin = await make_user(db, Role.admin)
        made = await create_connection(
            db, actor=admin, form=ConnectionForm(name=f"Entra {admin.id}"), now=utcnow()
        )
    email = f"parallel{admin.id}@kommune.dk"
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "active": True,
        "displayName": "Pia Parallel",
    }
    headers = {"Authorization": f"Bearer {made.token}", "Content-Type": "application/scim+json"}
    async with http_clients(real_app, PARALLEL) as idps:
        created = await at_once(
            idps, lambda http, _n: http.post("/scim/v2/Users", json=body, headers=headers)
        )
        assert statuses(created) == [201] + [409] * (PARALLEL - 1)
        [scim_id] = [answer.json()["id"] for answer in created if answer.status_code == 201]
        off = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        }
        patched = await at_once(
            idps,
            lambda http, _n: http.patch(f"/scim/v2/Users/{scim_id}", json=off, headers=headers),
        )
        assert statuses(patched) == [204] * PARALLEL
    async with committed(real_engine) as db:
        [pia] = (await db.exec(select(User).where(User.email == email))).all()
        assert pia.is_active is False
        actions = (
            await db.exec(select(AdminChange.action).where(AdminChange.target == f"user:{pia.id}"))
        ).all()
        assert sorted(actions) == ["scim.user.create", "scim.user.deactivate"]
