"""Access control in one place: every registered route, every role, against its policy.

A route without a declared policy makes this test fail, so a new route cannot slip in
without saying who may call it.
"""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from app.models import Role, User
from app.security.access import PUBLIC, SCIM_TOKEN, policy_of
from app.security.sessions import cookie_name, start_session
from tests.conftest import BASE_URL
from tests.factories.people import ensure_csrf, make_user, make_youth, user_of

DENIED_ANONYMOUS = 401
DENIED_SIGNED_IN = 403


def api_routes(app) -> list[RouteContext]:
    """Every route of app.routes, including those of included routers."""
    return [
        context
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def test_every_route_declares_who_may_call_it(app):
    routes = api_routes(app)
    assert len(routes) > 30, "the walk must see the included routers' routes"
    missing = [route.path for route in routes if policy_of(route.endpoint) is None]
    assert not missing, f"routes without @access(...): {missing}"


def test_a_route_added_without_a_policy_is_caught(app):
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/forgotten")
    async def forgotten() -> dict:
        return {}

    app.include_router(router)
    assert any(policy_of(r.endpoint) is None for r in api_routes(app))


def concrete_path(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", "1", path)


async def call(app, route: RouteContext, cookies: dict[str, str]) -> int:
    method = sorted(m for m in route.methods if m != "HEAD")[0]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, cookies=cookies
    ) as client:
        token = await ensure_csrf(client)
        try:
            response = await client.request(
                method,
                concrete_path(route.path),
                headers={"Accept": "application/json", "X-CSRF-Token": token},
            )
        except Exception:
            # Only a handler can fail like this (e.g. a static file missing in a test
            # checkout): the access check, which runs first, let the request through.
            return 200
        return response.status_code


@pytest.mark.parametrize("who", ["anonymous", *[role.value for role in Role]])
async def test_only_the_declared_roles_get_through_on_every_route(
    app, db, settings, frozen_clock, who
):
    person_id = None
    if who != "anonymous":
        if who == Role.youth:
            person_id = (await user_of(db, await make_youth(db))).id
        else:
            person_id = (await make_user(db, Role(who))).id
        # Committed (a savepoint release) so refused requests, which roll back, keep it.
        await db.commit()
    wrong: list[str] = []
    for route in api_routes(app):
        policy = policy_of(route.endpoint)
        assert policy is not None, route.path
        cookies: dict[str, str] = {}
        if person_id is not None:
            # Some routes end the session (sign out): each request gets its own.
            person = await db.get(User, person_id)
            cookies[cookie_name(settings)] = await start_session(
                db, user=person, now=frozen_clock.now
            )
            await db.commit()
        status = await call(app, route, cookies)
        allowed = PUBLIC in policy or who in policy
        if allowed and status in (DENIED_ANONYMOUS, DENIED_SIGNED_IN):
            wrong.append(f"{route.path}: {who} is allowed but got {status}")
        if not allowed:
            # A SCIM route asks every caller without the IdP's token to authenticate.
            signed_out = who == "anonymous" or SCIM_TOKEN in policy
            expected = DENIED_ANONYMOUS if signed_out else DENIED_SIGNED_IN
            if status != expected:
                wrong.append(f"{route.path}: {who} is not allowed but got {status}")
    assert not wrong, "\n".join(wrong)
