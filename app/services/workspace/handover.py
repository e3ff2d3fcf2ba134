"""Handover: a young person moves to another guide, with a note, and nothing is lost.

The new guide gets everything at once (`Youth.guide_id`), the old period ends and a new
`GuideAssignment` starts (the periods are the count of changes: fewer is better), the
conversation simply continues (it belongs to the young person), and the young person
is told kindly in it and by a notification. A guide hands over their own young people;
a leader moves a whole caseload, or a part of it, in one step. Every young person moved
gets a `Handover` row keyed by the form's client key, so a retried form moves nobody
twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import GuideAssignment, Handover, Role, User, Youth
from app.notifications.outbox import enqueue
from app.security.access import Via, youth_scope
from app.security.audit import record
from app.services.client_keys import ClientKey, insert_once
from app.services.messages.conversation import GUIDE_CHANGED, post_system_line

NOTE_MAX = 4000


class HandoverForm(BaseModel):
    to_guide_id: int
    note: str = Field(min_length=2, max_length=NOTE_MAX)
    client_key: ClientKey

    @field_validator("to_guide_id", mode="before")
    @classmethod
    def _chosen(cls, value: object) -> object:
        if value in (None, ""):
            raise ValueError(N_("Please choose the colleague who takes over."))
        return value

    @field_validator("note", mode="before")
    @classmethod
    def _written(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and len(value.strip()) < 2):
            raise ValueError(N_("Please write a short handover note for your colleague."))
        return value


class Distribution(StrEnum):
    round_robin = "round_robin"  # in turn among the chosen colleagues
    chosen = "chosen"  # one colleague chosen per young person


@dataclass(frozen=True)
class Moved:
    youth_id: int
    to_guide_id: int
    handover: Handover
    created: bool  # False: this client key had already moved them (a retry)


async def colleagues(db: AsyncSession, *, actor: User, exclude: int | None = None) -> list[User]:
    """Active guides the young person can be handed to: the actor's team first."""
    rows = await db.exec(
        select(User)
        .where(User.role == Role.guide, col(User.is_active), col(User.id) != (exclude or 0))
        .order_by(col(User.name))
    )
    found = list(rows.all())
    return sorted(found, key=lambda u: (u.team_id != actor.team_id, u.name))


async def hand_over(
    db: AsyncSession, *, actor: User, youth_id: int, form: HandoverForm, now: datetime
) -> Moved:
    """A guide hands one of their own young people to a colleague."""
    via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    if via is not Via.caseload:
        # A colleague covering for the guide answers, but does not move the young person.
        raise Forbidden(N_("Only the young person's own guide or a leader can hand over."))
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    target = await _target(db, form.to_guide_id, field="to_guide_id")
    if target.id == youth.guide_id:
        raise ValidationFailed(
            {"to_guide_id": gettext(N_("This colleague is already the guide."))},
            values=form.model_dump(),
        )
    moved = await move(
        db, actor=actor, youth=youth, to=target, note=form.note, key=form.client_key, now=now
    )
    assert actor.id is not None
    await record(db, actor=actor, youth_id=youth_id, action="youth.handover", via=via, now=now)
    return moved


async def move(
    db: AsyncSession,
    *,
    actor: User,
    youth: Youth,
    to: User,
    note: str,
    key: str,
    now: datetime,
    batch_key: str | None = None,
) -> Moved:
    """The one way a young person changes guide; a repeated `key` changes nothing."""
    assert youth.id is not None and to.id is not None and actor.id is not None
    handover, created = await insert_once(
        db,
        Handover(
            youth_id=youth.id,
            from_guide_id=youth.guide_id,
            to_guide_id=to.id,
            by_id=actor.id,
            batch_key=batch_key,
            client_key=key[:100],
            at=now,
        ),
    )
    if not created:
        return Moved(youth.id, handover.to_guide_id, handover, False)
    await db.exec(
        update(GuideAssignment)
        .where(col(GuideAssignment.youth_id) == youth.id, col(GuideAssignment.ended_at).is_(None))
        .values(ended_at=now)
    )
    assignment = GuideAssignment(
        youth_id=youth.id,
        guide_id=to.id,
        started_at=now,
        assigned_by_id=actor.id,
        handover_note=note.strip()[:NOTE_MAX],
    )
    db.add(assignment)
    youth.guide_id = to.id
    db.add(youth)
    await db.flush()
    handover.assignment_id = assignment.id
    db.add(handover)
    await _tell(db, youth=youth, to=to, handover=handover, now=now)
    return Moved(youth.id, to.id, handover, True)


async def _tell(
    db: AsyncSession, *, youth: Youth, to: User, handover: Handover, now: datetime
) -> None:
    """Kindly, in the conversation and by a notification; the new guide hears of it too."""
    assert youth.id is not None and to.id is not None and handover.id is not None
    await post_system_line(
        db,
        youth_id=youth.id,
        text_id=GUIDE_CHANGED,
        params={"name": to.name},
        now=now,
        key=f"handover-{handover.id}",
    )
    await enqueue(
        db,
        user_id=youth.user_id,
        kind="guide.changed",
        dedupe_key=f"guide.changed:{handover.id}",
        params={"youth_id": youth.id},
        now=now,
    )
    await enqueue(
        db,
        user_id=to.id,
        kind="handover.received",
        dedupe_key=f"handover.received:{handover.id}",
        params={"youth_id": youth.id},
        now=now,
    )


async def _target(db: AsyncSession, guide_id: int, *, field: str) -> User:
    target = await db.get(User, guide_id)
    if target is None or target.role != Role.guide or not target.is_active:
        raise ValidationFailed({field: gettext(N_("Please choose the colleague who takes over."))})
    return target


async def handover_form_youth(
    db: AsyncSession, *, actor: User, youth_id: int, now: datetime
) -> tuple[Youth, User]:
    """The young person a guide is about to hand over (their own only), and their name."""
    via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    if via is not Via.caseload:
        raise Forbidden(N_("Only the young person's own guide or a leader can hand over."))
    youth = await db.get(Youth, youth_id)
    assert youth is not None
    person = await db.get(User, youth.user_id)
    if person is None:
        raise NotFound()
    return youth, person
