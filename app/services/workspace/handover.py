"""Handover: a young person moves to another guide, with a note, and nothing is lost.

The new guide gets everything at once (`Youth.guide_id`), the old period ends and a new
`GuideAssignment` starts (the periods are the count of changes: fewer is better), the
conversation simply continues (it belongs to the young person), and the young person
is told kindly in it and by a notification. A guide hands over their own young people;
a leader moves a whole caseload, or a part of it, in one step. Every young person moved
gets a `Handover` row keyed by the form's client key, so a retried form moves nobody
twice.

A young person moves only from the guide the form saw: `move` changes `Youth.guide_id`
with one conditional UPDATE (compare-and-set), so of several handovers sent at the same
moment exactly one wins and the others are told `AlreadyHandedOver`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
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


class AlreadyHandedOver(Conflict):
    message = N_("This young person has already been handed over to another guide.")


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
    try:
        via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    except NotFound:
        return await _handed_over_by(db, actor=actor, youth_id=youth_id, key=form.client_key)
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
    assert actor.id is not None
    moved = await move(
        db,
        actor=actor,
        youth=youth,
        from_guide_id=actor.id,
        to=target,
        note=form.note,
        key=form.client_key,
        now=now,
    )
    if moved is None:
        raise AlreadyHandedOver()
    await record(db, actor=actor, youth_id=youth_id, action="youth.handover", via=via, now=now)
    return moved


async def _handed_over_by(db: AsyncSession, *, actor: User, youth_id: int, key: str) -> Moved:
    """Why a young person is out of a guide's reach, if the guide just handed them over.

    Their own form sent again (same key) gets the handover it made; another form is told
    the young person was already handed over. Anyone else learns nothing (NotFound).
    """
    last = (
        await db.exec(
            select(Handover)
            .where(Handover.youth_id == youth_id)
            .order_by(col(Handover.id).desc())
            .limit(1)
        )
    ).first()
    if last is None or last.from_guide_id != actor.id:
        raise NotFound()
    if last.client_key != key[:100]:
        raise AlreadyHandedOver()
    return Moved(youth_id, last.to_guide_id, last, False)


async def move(
    db: AsyncSession,
    *,
    actor: User,
    youth: Youth,
    from_guide_id: int,
    to: User,
    note: str,
    key: str,
    now: datetime,
    batch_key: str | None = None,
) -> Moved | None:
    """The one way a young person changes guide; a repeated `key` changes nothing.

    The move happens only if `from_guide_id` (the guide the form saw) is still the
    guide; None when another handover came first.
    """
    assert youth.id is not None and to.id is not None and actor.id is not None
    key = key[:100]
    done = await _by_key(db, youth_id=youth.id, key=key)
    if done is not None:
        return Moved(youth.id, done.to_guide_id, done, False)
    if not await _take_over(db, youth=youth, from_guide_id=from_guide_id, to_guide_id=to.id):
        # The same form sent twice at once: the other request moved them with this key.
        done = await _by_key(db, youth_id=youth.id, key=key)
        return Moved(youth.id, done.to_guide_id, done, False) if done is not None else None
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
    await db.flush()
    assert assignment.id is not None
    handover = await _record(
        db,
        Handover(
            youth_id=youth.id,
            from_guide_id=from_guide_id,
            to_guide_id=to.id,
            assignment_id=assignment.id,
            by_id=actor.id,
            batch_key=batch_key,
            client_key=key,
            at=now,
        ),
    )
    await _tell(db, youth=youth, to=to, handover=handover, now=now)
    return Moved(youth.id, to.id, handover, True)


async def _take_over(
    db: AsyncSession, *, youth: Youth, from_guide_id: int, to_guide_id: int
) -> bool:
    """Compare-and-set the guide: False when it is no longer `from_guide_id`.

    On PostgreSQL a parallel handover holds the row until it commits; this UPDATE then
    sees the new guide and changes nothing. On SQLite writers take turns anyway.
    """
    changed = (
        await db.exec(
            update(Youth)
            .where(
                col(Youth.id) == youth.id,
                col(Youth.guide_id) == from_guide_id,
            )
            .values(guide_id=to_guide_id)
            .returning(col(Youth.id))
            .execution_options(synchronize_session=False)
        )
    ).first()
    if changed is not None:
        set_committed_value(youth, "guide_id", to_guide_id)
    return changed is not None


async def _record(db: AsyncSession, handover: Handover) -> Handover:
    """Insert the handover row; its key taken meanwhile by another young person's
    handover (a forged key, sent at once) is refused, and the move rolled back."""
    stored, created = await insert_once(db, handover)
    if not created:
        raise Conflict()
    return stored


async def _by_key(db: AsyncSession, *, youth_id: int, key: str) -> Handover | None:
    """The handover this form key made; a key of another young person's is refused."""
    found = (await db.exec(select(Handover).where(Handover.client_key == key))).first()
    if found is not None and found.youth_id != youth_id:
        raise Conflict()
    return found


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
