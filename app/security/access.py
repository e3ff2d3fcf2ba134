"""Who may do what, declared per route and checked on the server for every request.

Every route states its policy with `@access(...)` right under its path decorator; the
app-wide dependency `enforce_access` refuses any route that declares nothing (deny by
default). Which *young person* a staff member may open is decided by `youth_scope`:
a guide reaches the young people assigned to them, or those of a colleague they cover
during an active cover period; leaders and admins reach no young person's content.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import bindparam
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import utcnow
from app.db import SessionDep
from app.errors import Forbidden, NotFound, SignInRequired
from app.models import Cover, Role, User, Youth
from app.security.sessions import SLIDE_STATE_KEY, resume_session, session_token
from app.web.client import client_ip

log = logging.getLogger("trinvis.security")

PUBLIC = "public"
# A SCIM client (the municipality's IdP): a bearer token of an active IdP connection,
# no cookies, no session; the connection is in `request.state.scim_connection`.
SCIM_TOKEN = "scim_token"  # noqa: S105 (a policy name, not a secret)
ACCESS_ATTR = "__trinvis_access__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def access(*allowed: Role | str) -> Callable[[Endpoint], Endpoint]:
    """Declare who may call a route: roles, or `PUBLIC` for everyone."""
    if not allowed:
        raise ValueError("access() needs at least one role or PUBLIC")
    policy = frozenset(str(item) for item in allowed)

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, ACCESS_ATTR, policy)
        return endpoint

    return declare


def policy_of(endpoint: Any) -> frozenset[str] | None:
    return getattr(endpoint, ACCESS_ATTR, None)


async def clock() -> datetime:
    """The request's "now"; tests override this dependency to freeze time."""
    return utcnow()


Now = Annotated[datetime, Depends(clock)]


async def enforce_access(request: Request, db: SessionDep, now: Now) -> User | None:
    """Runs before every route: resolves the signed-in user and applies the route's policy."""
    route = request.scope.get("route")
    policy = policy_of(getattr(route, "endpoint", None))
    if policy is not None and SCIM_TOKEN in policy:
        await _scim_client(request, db, now)
        return None
    user = await _signed_in_user(request, db, now)
    request.state.user = Viewer.of(user) if user is not None else None
    where = {"route": getattr(route, "path", "?"), "ip": client_ip(request)}
    if policy is None:
        log.warning("route without access policy refused", extra={"event": "no_policy", **where})
        raise Forbidden()
    if PUBLIC in policy:
        return user
    if user is None:
        raise SignInRequired()
    if str(user.role) not in policy:
        log.info(
            "request refused",
            extra={
                "event": "access_refused",
                "user_id": user.id,
                "role": str(user.role),
                **where,
            },
        )
        raise Forbidden()
    return user


async def _scim_client(request: Request, db: AsyncSession, now: datetime) -> None:
    from app.services.scim.connections import authenticate

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    connection = None
    if scheme.lower() == "bearer" and token.strip():
        connection = await authenticate(db, token=token.strip(), now=now)
    if connection is None:
        log.info(
            "scim request without a valid token",
            extra={"event": "scim_unauthorized", "ip": client_ip(request)},
        )
        raise SignInRequired()
    request.state.scim_connection = connection


async def _signed_in_user(request: Request, db: AsyncSession, now: datetime) -> User | None:
    settings = request.app.state.settings
    token = session_token(request, settings)
    if not token:
        return None
    signed_in = await resume_session(db, token=token, now=now)
    if signed_in is None:
        return None
    request.state.session_id = signed_in.session_id
    if signed_in.slid and signed_in.user.role == Role.youth:
        setattr(request.state, SLIDE_STATE_KEY, token)
    return signed_in.user


async def current_user(user: Annotated[User | None, Depends(enforce_access)]) -> User:
    if user is None:
        raise SignInRequired()
    return user


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(enforce_access)]


@dataclass(frozen=True)
class Viewer:
    """What pages show of the signed-in person.

    A plain copy, because an error page may render after the transaction rolled back
    and the ORM row can no longer be read.
    """

    id: int
    role: str
    name: str
    first_name: str
    initials: str
    is_staff: bool

    @classmethod
    def of(cls, user: User) -> Viewer:
        assert user.id is not None
        return cls(
            id=user.id,
            role=str(user.role),
            name=user.name,
            first_name=user.first_name,
            initials=user.initials,
            is_staff=user.is_staff,
        )


class Via(StrEnum):
    """How the actor reaches a young person; written into every audit record."""

    self_ = "self"
    caseload = "caseload"
    cover = "cover"


async def youth_scope(db: AsyncSession, *, actor: User, youth_id: int, now: datetime) -> Via:
    """How `actor` may reach this young person, or NotFound (no hint that it exists)."""
    youth = await db.get(Youth, youth_id)
    if youth is not None:
        if actor.role == Role.youth and youth.user_id == actor.id:
            return Via.self_
        if actor.role == Role.guide and youth.guide_id == actor.id:
            return Via.caseload
        if (
            actor.role == Role.guide
            and youth.guide_id is not None
            and await _covers(db, actor.id, youth.guide_id, now)
        ):
            return Via.cover
    # Someone asking for a young person outside their reach (often an id changed by hand):
    # a refused request, logged by ids only.
    log.info(
        "young person out of reach",
        extra={
            "event": "access_refused",
            "reason": "youth_scope",
            "user_id": actor.id,
            "role": str(actor.role),
            "youth_id": youth_id,
        },
    )
    raise NotFound()


def cover_in_force(covering: Any, now: Any) -> tuple[Any, ...]:
    """Where a Cover row says `covering` covers a colleague at `now`.

    The one statement of the rule; `covering` and `now` are values or bind parameters
    (the caseload's prebuilt statement uses the latter).
    """
    return (
        col(Cover.covering_guide_id) == covering,
        col(Cover.starts_at) <= now,
        col(Cover.ends_at) > now,
    )


async def _covers(db: AsyncSession, covering_id: int | None, absent_id: int, now: datetime) -> bool:
    row = (
        await db.exec(
            select(Cover.id).where(
                Cover.absent_guide_id == absent_id, *cover_in_force(covering_id, now)
            )
        )
    ).first()
    return row is not None


async def covered_guide_ids(db: AsyncSession, *, guide_id: int, now: datetime) -> list[int]:
    """The colleagues this guide covers right now."""
    rows = await db.exec(select(Cover.absent_guide_id).where(*cover_in_force(guide_id, now)))
    return list(dict.fromkeys(rows.all()))


def reachable_youth_filter(guide_id: int, covered: list[int]) -> Any:
    """A WHERE clause for queries over the young people a guide may reach."""
    if covered:
        return or_(col(Youth.guide_id) == guide_id, col(Youth.guide_id).in_(covered))
    return col(Youth.guide_id) == guide_id


# `reachable_youth_filter` for statements built once: bind `guide_id` and `covered` (the
# list from `covered_guide_ids`; an empty list matches nobody).
REACHABLE_YOUTH = or_(
    col(Youth.guide_id) == bindparam("guide_id"),
    col(Youth.guide_id).in_(bindparam("covered", expanding=True)),
)
