"""Teams of guides, as the admin keeps them: list, create, rename.

A team name is unique within its municipality (case does not make a new name; the
database has the constraint too). Trinvis runs for one municipality; a fresh
installation without one gets it with the first team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import gettext
from app.models import Municipality, Role, Team, User
from app.services.admin import changes

DEFAULT_MUNICIPALITY = "Kommunen"


class TeamForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)


@dataclass(frozen=True)
class TeamRow:
    team: Team
    members: int  # active staff in the team


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden()


async def teams(db: AsyncSession, *, actor: User) -> list[TeamRow]:
    """Every team with how many active staff belong to it."""
    _require_admin(actor)
    members = (
        select(User.team_id, func.count().label("n"))
        .where(col(User.is_active), col(User.role) != Role.youth)
        .group_by(col(User.team_id))
        .subquery()
    )
    rows = await db.exec(
        select(Team, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.team_id == col(Team.id))
        .order_by(col(Team.name))
    )
    return [TeamRow(team=team, members=int(n)) for team, n in rows.all()]


async def team(db: AsyncSession, *, actor: User, team_id: int) -> Team:
    _require_admin(actor)
    found = await db.get(Team, team_id)
    if found is None:
        raise NotFound()
    return found


async def _municipality_id(db: AsyncSession) -> int:
    first = (await db.exec(select(Municipality).order_by(col(Municipality.id)))).first()
    if first is None:
        first = Municipality(name=DEFAULT_MUNICIPALITY)
        db.add(first)
        await db.flush()
    assert first.id is not None
    return first.id


async def _refuse_taken_name(
    db: AsyncSession, *, municipality_id: int, form: TeamForm, except_id: int | None = None
) -> None:
    taken = (
        await db.exec(
            select(Team.id).where(
                Team.municipality_id == municipality_id,
                func.lower(col(Team.name)) == form.name.lower(),
                col(Team.id) != (except_id or 0),
            )
        )
    ).first()
    if taken is not None:
        raise ValidationFailed(
            {"name": gettext("There is already a team with this name.")},
            form.model_dump(mode="json"),
        )


async def create_team(db: AsyncSession, *, actor: User, form: TeamForm, now: datetime) -> Team:
    """A new team in the municipality."""
    _require_admin(actor)
    municipality_id = await _municipality_id(db)
    await _refuse_taken_name(db, municipality_id=municipality_id, form=form)
    created = Team(municipality_id=municipality_id, name=form.name)
    db.add(created)
    await db.flush()
    await changes.record(
        db,
        actor=actor,
        action="team.create",
        target=f"team:{created.id}",
        target_label=created.name,
        after={"name": created.name},
        now=now,
    )
    return created


async def rename_team(
    db: AsyncSession, *, actor: User, team_id: int, form: TeamForm, now: datetime
) -> Team:
    """Give a team a new name (unique within its municipality)."""
    renamed = await team(db, actor=actor, team_id=team_id)
    if renamed.name == form.name:
        return renamed
    await _refuse_taken_name(
        db, municipality_id=renamed.municipality_id, form=form, except_id=team_id
    )
    old = renamed.name
    renamed.name = form.name
    db.add(renamed)
    await changes.record(
        db,
        actor=actor,
        action="team.rename",
        target=f"team:{team_id}",
        target_label=form.name,
        before={"name": old},
        after={"name": form.name},
        now=now,
    )
    return renamed
