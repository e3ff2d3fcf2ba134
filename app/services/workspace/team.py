"""The leader's team: caseload sizes, covers, and moving young people between guides.

A leader sees numbers, and for a handover the names and readiness group of the young
people to move: never plans, messages, notes or check-ins. A leader acts only on the
guides of their own team. Cover gives the covering guide access for a period and ends
by itself (`access.youth_scope` checks the period on every request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import (
    CourseStatus,
    Cover,
    CoverKey,
    Handover,
    ReadinessGroup,
    Role,
    User,
    Youth,
)
from app.services.client_keys import ClientKey, insert_once
from app.services.workspace.caseload import CASELOAD_LIMIT
from app.services.workspace.handover import (
    NOTE_MAX,
    AlreadyHandedOver,
    Distribution,
    Moved,
    move,
)


@dataclass(frozen=True)
class GuideLoad:
    guide: User
    active: int  # young people not ended

    @property
    def over_limit(self) -> bool:
        return self.active > CASELOAD_LIMIT


@dataclass(frozen=True)
class CoverRow:
    cover: Cover
    absent: User
    covering: User

    def state(self, now: datetime) -> str:
        if self.cover.ends_at <= now:
            return "ended"
        return "active" if self.cover.starts_at <= now else "planned"


@dataclass(frozen=True)
class TeamPage:
    guides: list[GuideLoad]
    covers: list[CoverRow]  # active and planned, then those ended in the last 30 days


def _leader(actor: User) -> int | None:
    """The leader's team; a leader not yet placed in a team leads nobody."""
    if actor.role != Role.leader:
        raise Forbidden()
    return actor.team_id


async def team_guides(db: AsyncSession, *, actor: User) -> list[User]:
    team_id = _leader(actor)
    if team_id is None:
        return []
    rows = await db.exec(
        select(User)
        .where(User.role == Role.guide, User.team_id == team_id, col(User.is_active))
        .order_by(col(User.name))
    )
    return list(rows.all())


async def team_page(db: AsyncSession, *, actor: User, now: datetime) -> TeamPage:
    """Caseload sizes and covers of the leader's team. Numbers and names of staff only."""
    guides = await team_guides(db, actor=actor)
    ids = [g.id for g in guides]
    counts = dict(
        (
            await db.exec(
                select(Youth.guide_id, func.count())
                .where(col(Youth.guide_id).in_(ids), col(Youth.status) != CourseStatus.ended)
                .group_by(col(Youth.guide_id))
            )
        ).all()
    )
    by_id = {g.id: g for g in guides}
    covers = (
        await db.exec(
            select(Cover)
            .where(
                col(Cover.absent_guide_id).in_(ids),
                col(Cover.ends_at) > now - timedelta(days=30),
            )
            .order_by(col(Cover.ends_at) <= now, col(Cover.starts_at))
        )
    ).all()
    people = await _users(db, {c.covering_guide_id for c in covers} - set(by_id))
    people.update(by_id)
    return TeamPage(
        guides=[GuideLoad(g, int(counts.get(g.id, 0))) for g in guides],
        covers=[
            CoverRow(c, people[c.absent_guide_id], people[c.covering_guide_id])
            for c in covers
            if c.covering_guide_id in people
        ],
    )


async def _users(db: AsyncSession, ids: set[int]) -> dict[int | None, User]:
    if not ids:
        return {}
    rows = await db.exec(select(User).where(col(User.id).in_(ids)))
    return {u.id: u for u in rows.all()}


async def _team_guide(db: AsyncSession, actor: User, guide_id: int) -> User:
    """A guide of the leader's team, or NotFound (no hint about other teams)."""
    team_id = _leader(actor)
    guide = await db.get(User, guide_id)
    if team_id is None or guide is None or guide.role != Role.guide or guide.team_id != team_id:
        raise NotFound()
    return guide


# Covers -------------------------------------------------------------------------------


class CoverForm(BaseModel):
    absent_guide_id: int
    covering_guide_id: int
    starts_on: date
    ends_on: date
    client_key: ClientKey

    @field_validator("absent_guide_id", "covering_guide_id", mode="before")
    @classmethod
    def _chosen(cls, value: object) -> object:
        if value in (None, ""):
            raise ValueError(N_("Please choose a guide."))
        return value

    def period(self) -> tuple[datetime, datetime]:
        """From the first day's morning to the end of the last day, Danish time, in UTC."""
        start = at_copenhagen_time(self.starts_on)
        end = at_copenhagen_time(self.ends_on + timedelta(days=1))
        return start.astimezone(UTC), end.astimezone(UTC)


class _KeyTaken(Exception):
    """Rolls back a cover whose form key another request claimed first."""


async def create_cover(db: AsyncSession, *, actor: User, form: CoverForm, now: datetime) -> Cover:
    """One cover per form key: a retried form returns the cover it made."""
    assert actor.id is not None
    existing = await _cover_by_key(db, form.client_key)
    if existing is not None:
        return existing
    values = form.model_dump()
    if form.covering_guide_id == form.absent_guide_id:
        raise ValidationFailed(
            {"covering_guide_id": gettext(N_("A guide cannot cover for themselves."))}, values
        )
    if form.ends_on < form.starts_on:
        raise ValidationFailed(
            {"ends_on": gettext(N_("The last day must be on or after the first day."))}, values
        )
    try:
        absent = await _team_guide(db, actor, form.absent_guide_id)
    except NotFound:
        raise ValidationFailed(
            {"absent_guide_id": gettext(N_("Please choose a guide."))}, values
        ) from None
    try:
        covering = await _team_guide(db, actor, form.covering_guide_id)
    except NotFound:
        raise ValidationFailed(
            {"covering_guide_id": gettext(N_("Please choose a guide."))}, values
        ) from None
    starts_at, ends_at = form.period()
    if ends_at <= now:
        raise ValidationFailed(
            {"ends_on": gettext(N_("The cover must last until today or later."))}, values
        )
    assert absent.id is not None and covering.id is not None
    if not covering.is_active or await _away_during(db, covering.id, starts_at, ends_at):
        # Young people would be told this colleague answers while nobody does.
        raise ValidationFailed(
            {
                "covering_guide_id": gettext(
                    N_("%(name)s is away on some of these days. Choose a colleague at work."),
                    name=covering.name,
                )
            },
            values,
        )
    try:
        async with db.begin_nested():
            cover = Cover(
                absent_guide_id=absent.id,
                covering_guide_id=covering.id,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by_id=actor.id,
            )
            db.add(cover)
            await db.flush()
            assert cover.id is not None
            claim = CoverKey(client_key=form.client_key, cover_id=cover.id)
            _claimed, created = await insert_once(db, claim, owner=None)
            if not created:
                raise _KeyTaken()
    except _KeyTaken:
        # The same form arrived twice at once: the other request made the cover, and
        # the savepoint takes ours back.
        found = await _cover_by_key(db, form.client_key)
        assert found is not None
        return found
    return cover


async def _away_during(
    db: AsyncSession, guide_id: int, starts_at: datetime, ends_at: datetime
) -> bool:
    """Whether the guide is registered away (covered by someone) during any of the period."""
    overlapping = select(Cover.id).where(
        Cover.absent_guide_id == guide_id,
        col(Cover.starts_at) < ends_at,
        col(Cover.ends_at) > starts_at,
    )
    return (await db.exec(overlapping.limit(1))).first() is not None


async def _cover_by_key(db: AsyncSession, key: str) -> Cover | None:
    row = (
        await db.exec(
            select(Cover)
            .join(CoverKey, col(CoverKey.cover_id) == col(Cover.id))
            .where(CoverKey.client_key == key)
        )
    ).first()
    return row


async def end_cover(db: AsyncSession, *, actor: User, cover_id: int, now: datetime) -> Cover:
    """End a cover now (or call off a planned one); ending it twice changes nothing."""
    cover = await db.get(Cover, cover_id)
    if cover is None:
        raise NotFound()
    await _team_guide(db, actor, cover.absent_guide_id)
    if cover.ends_at > now:
        cover.ends_at = max(now, cover.starts_at)
        db.add(cover)
        await db.flush()
    return cover


# Bulk handover ------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverChoice:
    """A young person as the leader sees them for a handover: name and group only."""

    youth_id: int
    name: str
    readiness_group: ReadinessGroup


@dataclass(frozen=True)
class BulkPage:
    guide: User
    young: list[HandoverChoice]
    colleagues: list[User]


async def bulk_page(db: AsyncSession, *, actor: User, guide_id: int) -> BulkPage:
    guide = await _team_guide(db, actor, guide_id)
    rows = await db.exec(
        select(Youth.id, User.name, Youth.readiness_group)
        .join(User, col(User.id) == col(Youth.user_id))
        .where(Youth.guide_id == guide.id, col(Youth.status) != CourseStatus.ended)
        .order_by(col(User.name))
    )
    young = [
        HandoverChoice(yid, name, ReadinessGroup(group)) for yid, name, group in rows.all() if yid
    ]
    colleagues = [g for g in await team_guides(db, actor=actor) if g.id != guide.id]
    return BulkPage(guide, young, colleagues)


class BulkForm(BaseModel):
    youth_ids: list[int] = Field(default_factory=list)
    distribution: Distribution = Distribution.round_robin
    to_guide_ids: list[int] = Field(default_factory=list)  # for round robin
    chosen: dict[int, int] = Field(default_factory=dict)  # youth id -> guide id
    note: str = Field(min_length=2, max_length=NOTE_MAX)
    client_key: ClientKey

    @field_validator("note", mode="before")
    @classmethod
    def _written(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and len(value.strip()) < 2):
            raise ValueError(N_("Please write a short handover note for your colleagues."))
        return value

    @classmethod
    def from_form(cls, form: Any) -> dict[str, Any]:
        """The multi-valued fields of the posted form, as `parse_form` input."""
        values: dict[str, Any] = {
            key: form.get(key) for key in ("distribution", "note", "client_key")
        }
        values["youth_ids"] = form.getlist("youth_ids")
        values["to_guide_ids"] = form.getlist("to_guide_ids")
        values["chosen"] = {
            key.removeprefix("to_"): value
            for key, value in form.items()
            if key.startswith("to_") and key != "to_guide_ids" and value
        }
        return values


async def bulk_hand_over(
    db: AsyncSession, *, actor: User, guide_id: int, form: BulkForm, now: datetime
) -> list[Moved]:
    """Move the chosen young people of one guide to colleagues, each as a single handover.

    The plan is made from the young people in id order, so a retried form puts each one
    with the same colleague, and their own key makes the retry move nobody twice. Each
    moves only if this guide still has them (`move`); when another handover took every
    one of them first, the leader is told so.
    """
    page = await bulk_page(db, actor=actor, guide_id=guide_id)
    plan = _plan(page, form)
    youths = {
        y.id: y for y in (await db.exec(select(Youth).where(col(Youth.id).in_(list(plan))))).all()
    }
    targets = {g.id: g for g in page.colleagues}
    moved = []
    for youth_id, to_id in sorted(plan.items()):
        done = await move(
            db,
            actor=actor,
            youth=youths[youth_id],
            from_guide_id=guide_id,
            to=targets[to_id],
            note=form.note,
            key=f"{form.client_key}:{youth_id}",
            batch_key=form.client_key,
            now=now,
        )
        if done is not None:
            moved.append(done)
    if not moved and not await _moved_before(db, batch_key=form.client_key):
        raise AlreadyHandedOver()
    return moved


async def _moved_before(db: AsyncSession, *, batch_key: str) -> bool:
    """Whether this form already moved someone (then a retry that moves nobody is fine)."""
    found = await db.exec(select(Handover.id).where(Handover.batch_key == batch_key).limit(1))
    return found.first() is not None


def _plan(page: BulkPage, form: BulkForm) -> dict[int, int]:
    values = form.model_dump()
    own = {c.youth_id for c in page.young}
    colleague_ids = {g.id for g in page.colleagues}
    # In id order over everything ticked, so a retried form gives each the same colleague;
    # those already moved (no longer this guide's) or never theirs are left alone.
    chosen = sorted(set(form.youth_ids))
    if not chosen:
        raise ValidationFailed(
            {"youth_ids": gettext(N_("Please choose at least one young person."))}, values
        )
    if form.distribution == Distribution.round_robin:
        targets = sorted(set(form.to_guide_ids) & colleague_ids)
        if not targets or len(targets) != len(set(form.to_guide_ids)):
            raise ValidationFailed(
                {"to_guide_ids": gettext(N_("Please choose at least one colleague."))}, values
            )
        spread = {youth_id: targets[i % len(targets)] for i, youth_id in enumerate(chosen)}
        return {youth_id: to_id for youth_id, to_id in spread.items() if youth_id in own}
    plan = {}
    for youth_id in (y for y in chosen if y in own):
        to_id = form.chosen.get(youth_id)
        if to_id is None or to_id not in colleague_ids:
            raise ValidationFailed(
                {f"to_{youth_id}": gettext(N_("Please choose who takes over."))}, values
            )
        plan[youth_id] = to_id
    return plan
