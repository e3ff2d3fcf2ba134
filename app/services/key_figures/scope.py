"""The SQL pieces every key-figure query shares: whose young people, and who was followed.

A young person belongs to the team of their current guide; the municipality is every
team of the leader's municipality. The queries never load young people one by one: each
is one aggregate statement, however many young people there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, any_, bindparam, cast, func, or_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select, Subquery
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import CourseEnd, CourseStatus, Role, Team, User, Youth
from app.services.key_figures.period import Period, ScopeKind


@dataclass(frozen=True)
class Scope:
    """The guides whose young people the report counts (resolved once, by `scope_for`).

    The guide ids are passed as a list rather than a subquery: the planner then knows
    how many young people it will meet and picks hash joins at national size.
    """

    kind: ScopeKind
    guides: tuple[int, ...]
    dialect: str = "sqlite"

    def youth(self) -> ColumnElement[bool]:
        return self.is_guide(col(Youth.guide_id))

    def narrow_ids(self) -> Any:
        """For a team, the ids of its young people, to count per-person subtotals for
        them only: a team's report would otherwise aggregate the whole country's check-ins
        and plan steps first. None for the municipality, where that pass is the fastest
        plan (every young person is needed anyway)."""
        if self.kind != ScopeKind.team:
            return None
        return select(Youth.id).where(self.youth())

    def is_guide(self, column: Any) -> ColumnElement[bool]:
        """`column` is one of the scope's guides. On PostgreSQL the ids travel as one array
        parameter: thousands of separate parameters cost more to send than to count."""
        if self.dialect == "postgresql":
            ids = bindparam("guides", list(self.guides), type_=ARRAY(Integer), unique=True)
            return column == any_(ids)  # type: ignore[no-any-return]
        return col(column).in_(self.guides)


async def scope_for(
    db: AsyncSession, *, kind: ScopeKind, team_id: int | None, municipality_id: int | None
) -> Scope:
    """Every guide (active or not) of the team, or of every team of the municipality."""
    query = select(User.id).where(User.role == Role.guide)
    if kind == ScopeKind.team:
        query = query.where(User.team_id == team_id)
    else:
        teams = select(Team.id).where(Team.municipality_id == municipality_id)
        query = query.where(col(User.team_id).in_(teams))
    guides = tuple(sorted(i for i in (await db.exec(query)).all() if i is not None))
    return Scope(kind, guides, db.get_bind().dialect.name)


def last_course_ends(among: Any = None) -> Subquery:
    """The date each young person's course ended (the latest course end); `among`: only
    these young people (a select of ids), see `Scope.narrow_ids`."""
    query = select(CourseEnd.youth_id, func.max(CourseEnd.ended_on).label("ended_on"))
    if among is not None:
        query = query.where(col(CourseEnd.youth_id).in_(among))
    return query.group_by(col(CourseEnd.youth_id)).subquery("last_end")


def followed(period: Period, last_end: Subquery | None = None) -> ColumnElement[bool]:
    """The course overlaps the period (started by its last day, not ended before its first).

    With `last_end` joined already, its column is read; otherwise the course ends since
    the period's first day are looked up.
    """
    if last_end is not None:
        ended_since: ColumnElement[bool] = last_end.c.ended_on >= period.start
    else:
        since = select(CourseEnd.youth_id).where(col(CourseEnd.ended_on) >= period.start)
        ended_since = col(Youth.id).in_(since)
    return and_(
        col(Youth.course_started_on) <= period.end,
        or_(col(Youth.status) != CourseStatus.ended, ended_since),
    )


def followed_youth_ids(scope: Scope, period: Period) -> Select[Any]:
    return select(Youth.id).where(scope.youth(), followed(period))


def days_between(db: AsyncSession, start: Any, end: Any) -> ColumnElement[int]:
    """Whole days from the date `start` to the date `end`, on SQLite and PostgreSQL."""
    if db.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(end) - func.julianday(start), Integer)
    return cast(end - start, Integer)


async def rows(db: AsyncSession, statement: Any) -> Sequence[Any]:
    return (await db.execute(statement)).all()
