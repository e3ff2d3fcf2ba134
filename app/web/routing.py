"""An area's router that the app skips at once when a path cannot be one of its routes.

FastAPI (0.137 and later) finds a request's route by asking every included router in
turn, and each router tries each of its routes, with some bookkeeping per try; the
router that matches is then searched a second time to handle the request. With 27
area routers and about 140 routes, finding `/guide/youth/5` cost 0.3 ms of CPU before
the page did any work (`bench/pages.py`). Here each area joins its routes' path
patterns into one regular expression, so an area none of whose routes fits the path
says "no match" after one regex search instead of trying its routes. Which route
answers, and every 405 and trailing-slash redirect, stays the same: only areas that
cannot match are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from starlette._utils import get_route_path  # what Starlette's routes match against
from starlette.routing import Match
from starlette.types import Scope

_GROUP_NAME = re.compile(r"\(\?P<[^>]+>")


def any_path_of(routes: list[Any]) -> re.Pattern[str] | None:
    """One pattern that fits every path one of `routes` fits; None if a route has none."""
    patterns = [getattr(route, "path_regex", None) for route in routes]
    if not all(isinstance(pattern, re.Pattern) for pattern in patterns):
        return None
    # Named groups would clash across routes (`youth_id` in many): unnamed, same match.
    joined = "|".join(f"(?:{_GROUP_NAME.sub('(', p.pattern)})" for p in patterns)  # type: ignore[union-attr]
    return re.compile(joined or r"(?!)")


class AreaRouter(APIRouter):
    """The router of one area (`app/routers/<area>.py`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._any_path: re.Pattern[str] | None = None
        self._any_path_of = -1  # the number of routes `_any_path` was built from

    def any_path(self) -> re.Pattern[str] | None:
        if self._any_path_of != len(self.routes):
            self._any_path = any_path_of(self.routes)
            self._any_path_of = len(self.routes)
        return self._any_path

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        pattern = self.any_path()
        if (
            pattern is not None
            and scope.get("type") == "http"
            and pattern.fullmatch(get_route_path(scope)) is None
        ):
            return Match.NONE, {}
        return super().matches(scope)
