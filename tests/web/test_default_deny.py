"""A route that declares no access policy is refused for everyone."""

from fastapi import APIRouter

from app.models import Role
from tests.factories.people import make_user, sign_in


async def test_route_without_policy_is_refused_even_for_a_signed_in_user(
    app, client, db, settings, frozen_clock
):
    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> dict:
        return {"secret": "data"}

    app.include_router(router)
    admin = await make_user(db, Role.admin)
    await sign_in(client, db, admin, settings, frozen_clock.now)
    response = await client.get("/forgotten")
    assert response.status_code == 403
    assert "data" not in response.text
