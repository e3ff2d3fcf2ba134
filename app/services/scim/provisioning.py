"""What the IdP's SCIM writes mean in Trinvis: staff accounts, their roles and teams.

- A SCIM User is a staff account. Its e-mail (the primary one, else a userName that is
  an address) is what the person signs in with at the IdP; an account the admin added
  by hand with the same address is taken over rather than duplicated. A young person's
  address is never taken over.
- `active: false` (Entra ID's PATCH replace) or DELETE closes the account with the
  admin page's own service: no sign-in, every session ended at once.
- Groups give roles and teams only as the admin mapped them (`ScimGroupMapping`): the
  highest mapped role wins, else the connection's default role; a connection without
  mappings leaves roles and teams to the admin page. A guide who still has young people
  keeps the guide role until a leader hands them over.
Every change is written to the admin change log, labelled with the connection.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scim2_models import Resource, UniquenessException
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    CourseStatus,
    Role,
    ScimConnection,
    ScimGroupMapping,
    ScimResource,
    Team,
    User,
    Youth,
)
from app.services.admin import changes
from app.services.admin.staff_members import close_account, open_account

log = logging.getLogger("trinvis.scim")

ROLE_RANK = {Role.guide: 1, Role.leader: 2, Role.admin: 3}


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None
    active: bool


def person_of(resource: Resource[Any]) -> Person:
    """The few things Trinvis keeps of a SCIM User."""
    name_parts = getattr(resource, "name", None)
    formatted = getattr(name_parts, "formatted", None) if name_parts else None
    given = " ".join(
        part
        for part in (
            getattr(name_parts, "given_name", None) if name_parts else None,
            getattr(name_parts, "family_name", None) if name_parts else None,
        )
        if part
    )
    user_name = str(getattr(resource, "user_name", "") or "")
    name = getattr(resource, "display_name", None) or formatted or given or user_name
    emails = list(getattr(resource, "emails", None) or [])
    chosen = next((e for e in emails if e.primary), emails[0] if emails else None)
    email = chosen.value if chosen is not None and chosen.value else None
    if email is None and "@" in user_name:
        email = user_name
    active = getattr(resource, "active", None)
    return Person(
        name=str(name)[:120],
        email=email.strip().lower()[:254] if email else None,
        active=active is not False,
    )


def _label(user: User, connection: ScimConnection) -> str:
    return f"{user.name} (SCIM: {connection.name})"


async def written(
    db: AsyncSession,
    *,
    connection: ScimConnection,
    row: ScimResource,
    before: Resource[Any] | None,
    after: Resource[Any],
    now: datetime,
) -> None:
    """The IdP created or changed a resource: bring Trinvis's rows in line."""
    if row.resource_type == "User":
        await _user_written(db, connection, row, after, now)
        await apply_groups(db, connection=connection, scim_user_ids={row.id}, now=now)
        return
    members = _members(before) | _members(after)
    await changes.record(
        db,
        actor=None,
        action="scim.group.create" if before is None else "scim.group.update",
        target=f"scim:{connection.id}",
        target_label=f"{getattr(after, 'display_name', '')} (SCIM: {connection.name})",
        before={"members": len(_members(before))} if before is not None else None,
        after={"members": len(_members(after))},
        now=now,
    )
    await apply_groups(db, connection=connection, scim_user_ids=members, now=now)


async def deleted(
    db: AsyncSession,
    *,
    connection: ScimConnection,
    row: ScimResource,
    before: Resource[Any],
    now: datetime,
) -> None:
    """The IdP deleted a resource. A person's account is closed, never erased: their
    history (notes, messages, audit) stays."""
    if row.resource_type == "Group":
        await changes.record(
            db,
            actor=None,
            action="scim.group.delete",
            target=f"scim:{connection.id}",
            target_label=f"{getattr(before, 'display_name', '')} (SCIM: {connection.name})",
            now=now,
        )
        members = _members(before)
        # The row is deleted right after this; emptied first, so the members' roles and
        # teams are worked out as if the group were already gone.
        row.body = json.dumps({**json.loads(row.body), "members": []})
        db.add(row)
        await db.flush()
        await apply_groups(db, connection=connection, scim_user_ids=members, now=now)
        return
    user = await db.get(User, row.user_id) if row.user_id is not None else None
    if user is not None:
        await close_account(
            db,
            user=user,
            actor=None,
            now=now,
            action="scim.user.delete",
            label=_label(user, connection),
        )
    await _leave_groups(db, connection, row.id, now)


async def _user_written(
    db: AsyncSession,
    connection: ScimConnection,
    row: ScimResource,
    resource: Resource[Any],
    now: datetime,
) -> None:
    person = person_of(resource)
    user = await db.get(User, row.user_id) if row.user_id is not None else None
    if user is None:
        user = await _adopt_or_create(db, connection, row, person, now)
    else:
        await _update(db, connection, user, person, now)
    if person.active:
        await open_account(
            db,
            user=user,
            actor=None,
            now=now,
            action="scim.user.reactivate",
            label=_label(user, connection),
        )
    else:
        await close_account(
            db,
            user=user,
            actor=None,
            now=now,
            action="scim.user.deactivate",
            label=_label(user, connection),
        )


async def _email_owner(db: AsyncSession, email: str | None) -> User | None:
    if email is None:
        return None
    return (await db.exec(select(User).where(func.lower(col(User.email)) == email))).first()


async def _adopt_or_create(
    db: AsyncSession, connection: ScimConnection, row: ScimResource, person: Person, now: datetime
) -> User:
    user = await _email_owner(db, person.email)
    if user is not None:
        linked = (
            await db.exec(select(ScimResource.id).where(ScimResource.user_id == user.id))
        ).first()
        if user.role == Role.youth or linked is not None:
            raise UniquenessException(
                attribute="emails", detail="This e-mail address belongs to another account"
            )
        action, before = "scim.user.link", {"name": user.name}
        user.name = person.name
    else:
        action, before = "scim.user.create", None
        user = User(
            role=Role(connection.default_role),
            name=person.name,
            email=person.email,
            is_active=person.active,
            created_at=now,
        )
    db.add(user)
    await db.flush()
    row.user_id = user.id
    db.add(row)
    await db.flush()
    await changes.record(
        db,
        actor=None,
        action=action,
        target=f"user:{user.id}",
        target_label=_label(user, connection),
        before=before,
        after={"name": user.name, "email": user.email or "", "role": str(user.role)},
        now=now,
    )
    log.info("scim user provisioned", extra={"event": action, "target_user_id": user.id})
    return user


async def _update(
    db: AsyncSession, connection: ScimConnection, user: User, person: Person, now: datetime
) -> None:
    before = {"name": user.name, "email": user.email or ""}
    after = {"name": person.name, "email": person.email or ""}
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return
    if "email" in changed and person.email is not None:
        owner = await _email_owner(db, person.email)
        if owner is not None and owner.id != user.id:
            raise UniquenessException(
                attribute="emails", detail="This e-mail address belongs to another account"
            )
    user.name, user.email = person.name, person.email
    db.add(user)
    await changes.record(
        db,
        actor=None,
        action="scim.user.update",
        target=f"user:{user.id}",
        target_label=_label(user, connection),
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        now=now,
    )


def _members(resource: Resource[Any] | None) -> set[str]:
    if resource is None:
        return set()
    return {str(m.value) for m in (getattr(resource, "members", None) or []) if m.value}


def _member_ids(row: ScimResource) -> set[str]:
    members = json.loads(row.body).get("members") or []
    return {str(m.get("value")) for m in members if isinstance(m, dict) and m.get("value")}


async def _groups(db: AsyncSession, connection: ScimConnection) -> list[ScimResource]:
    found = await db.exec(
        select(ScimResource).where(
            ScimResource.connection_id == connection.id, ScimResource.resource_type == "Group"
        )
    )
    return list(found.all())


async def _leave_groups(
    db: AsyncSession, connection: ScimConnection, scim_user_id: str, now: datetime
) -> None:
    """A deleted User is no longer a member of any group (RFC 7644 §3.6)."""
    for group in await _groups(db, connection):
        body = json.loads(group.body)
        members = body.get("members") or []
        kept = [m for m in members if not (isinstance(m, dict) and m.get("value") == scim_user_id)]
        if len(kept) != len(members):
            body["members"] = kept or None
            group.body = json.dumps({k: v for k, v in body.items() if v is not None})
            group.version += 1
            group.updated_at = now
            db.add(group)
    await db.flush()


async def apply_groups(
    db: AsyncSession, *, connection: ScimConnection, scim_user_ids: set[str], now: datetime
) -> None:
    """Give these provisioned people the role and team their mapped groups say."""
    mappings = list(
        (
            await db.exec(
                select(ScimGroupMapping)
                .where(ScimGroupMapping.connection_id == connection.id)
                .order_by(col(ScimGroupMapping.group_name))
            )
        ).all()
    )
    if not mappings or not scim_user_ids:
        return
    groups = [(group.unique_key, _member_ids(group)) for group in await _groups(db, connection)]
    maps_teams = any(m.team_id is not None for m in mappings)
    for scim_id in sorted(scim_user_ids):
        row = await db.get(ScimResource, scim_id)
        if row is None or row.user_id is None or row.connection_id != connection.id:
            continue
        user = await db.get(User, row.user_id)
        if user is None or user.role == Role.youth:
            continue
        names = {name for name, members in groups if scim_id in members}
        matched = [m for m in mappings if m.group_name in names]
        roles = [Role(m.role) for m in matched if m.role]
        role = max(roles, key=ROLE_RANK.__getitem__) if roles else Role(connection.default_role)
        team_ids = [m.team_id for m in matched if m.team_id is not None]
        team_id = team_ids[0] if team_ids else (None if maps_teams else user.team_id)
        await _set_role_and_team(db, connection, user, role, team_id, now)


async def _set_role_and_team(
    db: AsyncSession,
    connection: ScimConnection,
    user: User,
    role: Role,
    team_id: int | None,
    now: datetime,
) -> None:
    if user.role == Role.guide and role != Role.guide and await _has_caseload(db, user):
        log.warning(
            "scim role change waits for a handover",
            extra={"event": "scim_role_kept", "target_user_id": user.id},
        )
        role = Role.guide
    if (user.role, user.team_id) == (role, team_id):
        return
    before = {"role": str(user.role), "team": await _team_name(db, user.team_id)}
    after = {"role": str(role), "team": await _team_name(db, team_id)}
    user.role, user.team_id = role, team_id
    db.add(user)
    await changes.record(
        db,
        actor=None,
        action="scim.user.groups",
        target=f"user:{user.id}",
        target_label=_label(user, connection),
        before={k: v for k, v in before.items() if before[k] != after[k]},
        after={k: v for k, v in after.items() if before[k] != after[k]},
        now=now,
    )


async def _has_caseload(db: AsyncSession, user: User) -> bool:
    found = await db.exec(
        select(Youth.id).where(Youth.guide_id == user.id, col(Youth.status) != CourseStatus.ended)
    )
    return found.first() is not None


async def _team_name(db: AsyncSession, team_id: int | None) -> str:
    team = await db.get(Team, team_id) if team_id is not None else None
    return team.name if team is not None else ""
