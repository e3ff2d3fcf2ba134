"""IdP connections: the bearer token an IdP sends, and the admin's group mappings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import Role, ScimConnection, ScimGroupMapping, ScimResource, Team, User
from app.security.tokens import new_token, token_hash
from app.services.admin import changes

log = logging.getLogger("trinvis.security")

TOKEN_PREFIX = "scim_"  # noqa: S105 (marks our tokens, not a secret)


class ConnectionForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    default_role: Literal["guide", "leader", "admin"] = "guide"

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(N_("Please fill in this field."))
        return value


class MappingForm(BaseModel):
    connection_id: int
    group_name: str = Field(min_length=1, max_length=255)
    role: Literal["guide", "leader", "admin"] | None = None
    team_id: int | None = None

    @field_validator("group_name")
    @classmethod
    def _group(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(N_("Please fill in this field."))
        return value

    @field_validator("role", "team_id", mode="before")
    @classmethod
    def _none_chosen(cls, value: object) -> object:
        return None if value in ("", None) else value


@dataclass(frozen=True)
class NewToken:
    """The token in clear text: shown to the admin once, never stored."""

    connection: ScimConnection
    token: str


@dataclass(frozen=True)
class ConnectionView:
    connection: ScimConnection
    users: int
    groups: int
    mappings: list[tuple[ScimGroupMapping, str]]  # the mapping and its team's name


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden()


async def authenticate(db: AsyncSession, *, token: str, now: datetime) -> ScimConnection | None:
    """The active connection whose token this is, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    connection = (
        await db.exec(
            select(ScimConnection).where(
                ScimConnection.token_hash == token_hash(token),
                col(ScimConnection.is_active).is_(True),
            )
        )
    ).first()
    if connection is not None:
        await db.exec(
            update(ScimConnection)  # type: ignore[call-overload]
            .where(col(ScimConnection.id) == connection.id)
            .values(last_used_at=now)
        )
    return connection


def _new_token() -> tuple[str, str, str]:
    token = TOKEN_PREFIX + new_token()
    return token, token_hash(token), token[-4:]


async def create_connection(
    db: AsyncSession, *, actor: User, form: ConnectionForm, now: datetime
) -> NewToken:
    """A new IdP connection with its first token."""
    _require_admin(actor)
    taken = (
        await db.exec(
            select(ScimConnection).where(func.lower(ScimConnection.name) == form.name.lower())
        )
    ).first()
    if taken is not None:
        raise ValidationFailed(
            {"name": gettext("There is already a connection with this name.")},
            form.model_dump(mode="json"),
        )
    token, hashed, hint = _new_token()
    connection = ScimConnection(
        name=form.name,
        token_hash=hashed,
        token_hint=hint,
        default_role=form.default_role,
        created_at=now,
    )
    db.add(connection)
    await db.flush()
    await changes.record(
        db,
        actor=actor,
        action="scim.connection.create",
        target=f"scim:{connection.id}",
        target_label=connection.name,
        after={"default_role": form.default_role},
        now=now,
    )
    return NewToken(connection, token)


async def new_connection_token(
    db: AsyncSession, *, actor: User, connection_id: int, now: datetime
) -> NewToken:
    """Replace the connection's token: the old one stops working at once."""
    connection = await _connection(db, actor, connection_id)
    token, connection.token_hash, connection.token_hint = _new_token()
    connection.is_active = True
    db.add(connection)
    await changes.record(
        db,
        actor=actor,
        action="scim.connection.new_token",
        target=f"scim:{connection.id}",
        target_label=connection.name,
        now=now,
    )
    await db.flush()
    return NewToken(connection, token)


async def revoke_connection(
    db: AsyncSession, *, actor: User, connection_id: int, now: datetime
) -> ScimConnection:
    """The IdP can no longer reach Trinvis with this connection's token."""
    connection = await _connection(db, actor, connection_id)
    if not connection.is_active:
        return connection
    connection.is_active = False
    db.add(connection)
    await changes.record(
        db,
        actor=actor,
        action="scim.connection.revoke",
        target=f"scim:{connection.id}",
        target_label=connection.name,
        before={"active": True},
        after={"active": False},
        now=now,
    )
    await db.flush()
    return connection


async def _connection(db: AsyncSession, actor: User, connection_id: int) -> ScimConnection:
    _require_admin(actor)
    connection = await db.get(ScimConnection, connection_id)
    if connection is None:
        raise NotFound()
    return connection


async def connections(db: AsyncSession, *, actor: User) -> list[ConnectionView]:
    """Every connection with how much it provisioned and its group mappings."""
    _require_admin(actor)
    rows = list((await db.exec(select(ScimConnection).order_by(col(ScimConnection.name)))).all())
    counts = await db.exec(
        select(ScimResource.connection_id, ScimResource.resource_type, func.count()).group_by(
            col(ScimResource.connection_id), col(ScimResource.resource_type)
        )
    )
    count = {(c, t): int(n) for c, t, n in counts.all()}
    found = await db.exec(
        select(ScimGroupMapping, Team.name)
        .outerjoin(Team, col(Team.id) == col(ScimGroupMapping.team_id))
        .order_by(col(ScimGroupMapping.group_name))
    )
    mappings: dict[int, list[tuple[ScimGroupMapping, str]]] = {}
    for mapping, team in found.all():
        mappings.setdefault(mapping.connection_id, []).append((mapping, team or ""))
    return [
        ConnectionView(
            connection=row,
            users=count.get((row.id or 0, "User"), 0),
            groups=count.get((row.id or 0, "Group"), 0),
            mappings=mappings.get(row.id or 0, []),
        )
        for row in rows
    ]


async def add_mapping(
    db: AsyncSession, *, actor: User, form: MappingForm, now: datetime
) -> ScimGroupMapping:
    """Members of the IdP group get this role and/or team (from their next change on)."""
    _require_admin(actor)
    values = form.model_dump(mode="json")
    connection = await db.get(ScimConnection, form.connection_id)
    if connection is None:
        message = gettext("Please choose one of the options.")
        raise ValidationFailed({"connection_id": message}, values)
    if not form.role and form.team_id is None:
        raise ValidationFailed({"role": gettext("Choose a role, a team or both.")}, values)
    team = await db.get(Team, form.team_id) if form.team_id is not None else None
    if form.team_id is not None and team is None:
        raise ValidationFailed({"team_id": gettext("Please choose one of the options.")}, values)
    key = form.group_name.lower()
    taken = (
        await db.exec(
            select(ScimGroupMapping).where(
                ScimGroupMapping.connection_id == connection.id,
                ScimGroupMapping.group_name == key,
            )
        )
    ).first()
    if taken is not None:
        raise ValidationFailed({"group_name": gettext("This group already has a mapping.")}, values)
    assert connection.id is not None
    mapping = ScimGroupMapping(
        connection_id=connection.id, group_name=key, role=form.role or None, team_id=form.team_id
    )
    db.add(mapping)
    await db.flush()
    await changes.record(
        db,
        actor=actor,
        action="scim.mapping.add",
        target=f"scim:{connection.id}",
        target_label=connection.name,
        after={"group": key, "role": form.role or "", "team": team.name if team else ""},
        now=now,
    )
    return mapping


async def remove_mapping(db: AsyncSession, *, actor: User, mapping_id: int, now: datetime) -> None:
    _require_admin(actor)
    mapping = await db.get(ScimGroupMapping, mapping_id)
    if mapping is None:
        raise NotFound()
    connection = await db.get(ScimConnection, mapping.connection_id)
    await changes.record(
        db,
        actor=actor,
        action="scim.mapping.remove",
        target=f"scim:{mapping.connection_id}",
        target_label=connection.name if connection else "",
        before={"group": mapping.group_name, "role": mapping.role or ""},
        now=now,
    )
    await db.delete(mapping)
    await db.flush()
