"""Each area's router is skipped only for paths none of its routes can match."""

from __future__ import annotations

import re

from starlette.routing import Match

from app.routers import ROUTERS
from app.web.routing import AreaRouter


def a_path_for(route_path: str) -> str:
    """A concrete path the route matches: every parameter filled with an id."""
    return re.sub(r"\{[^}]+\}", "7", route_path)


def http(path: str, method: str = "GET") -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}


def test_every_area_router_can_skip_paths():
    assert all(isinstance(router, AreaRouter) for router in ROUTERS)


def test_no_route_is_skipped_by_its_own_area():
    for router in ROUTERS:
        pattern = router.any_path()
        assert pattern is not None
        for route in router.routes:
            path = a_path_for(route.path)  # type: ignore[attr-defined]
            assert pattern.fullmatch(path), (route.path, "would be skipped")


def test_areas_skip_the_paths_of_other_areas():
    plan = next(r for r in ROUTERS if any(getattr(x, "path", "") == "/plan" for x in r.routes))
    assert plan.any_path().fullmatch("/plan")  # type: ignore[union-attr]
    assert plan.matches(http("/guide/inbox")) == (Match.NONE, {})
    assert plan.matches(http("/plan-of-someone-else")) == (Match.NONE, {})


async def test_wrong_method_and_unknown_path_answer_as_before(client):
    assert (await client.request("OPTIONS", "/plan")).status_code == 405
    assert (await client.get("/no-such-page")).status_code == 404
