"""Erasing one young person: every row about them, in every table, at once.

Two ways in: the retention job (`retention.py`) erases young people whose course ended
longer ago than the period; an admin erases one person now, on request (GDPR art. 17)
or because they were created by mistake (an invite sent to the wrong phone).

`erase_youth` deletes the `Youth` row, their `User` account and every row that
references either, found from the foreign keys of the schema itself, so a table added
later is covered without anyone remembering this module. Rows that only *mention* the
person in a nullable column keep the row and lose the reference (a staff member's audit
record stays as "opened a young person's plan", about no one). Notifications queued for
staff that name the young person by id go too. Deleting the account's sessions signs
the person out everywhere. The erasure itself goes to the admin change log by number
and reason only: never a name, phone number or e-mail.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Table, delete, or_, update
from sqlalchemy.sql import ColumnElement
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import copenhagen_today
from app.errors import Forbidden, ValidationFailed
from app.i18n import N_, gettext
from app.models import (
    CourseStatus,
    Notification,
    NotificationAttempt,
    Role,
    User,
    Youth,
)
from app.services.admin import changes
from app.services.identity.one_time_codes import parse_address

log = logging.getLogger("trinvis.retention")

# Deeper than any chain of references in the schema; a cycle would stop here.
MAX_DEPTH = 8


class ErasureReason(StrEnum):
    request = "request"  # the young person asked to be erased (GDPR art. 17)
    mistake = "mistake"  # created by mistake, e.g. an invite sent to the wrong phone


REASON_LABELS = {
    ErasureReason.request: N_("The young person asked to be erased"),
    ErasureReason.mistake: N_("Created by mistake (for example an invite to the wrong phone)"),
}


class ErasureForm(BaseModel):
    """The admin's erasure form: whom (phone or e-mail), why, and the final yes."""

    address: str = Field(min_length=1, max_length=254)
    reason: ErasureReason
    confirm: bool = False


@dataclass(frozen=True)
class Found:
    """What the admin sees before erasing: no name, no content."""

    youth_id: int
    status: CourseStatus
    created_on: date
    guide_name: str | None


@dataclass(frozen=True)
class Erasure:
    found: Found
    erased: bool  # False: shown for confirmation, nothing deleted yet


async def erase_on_request(
    db: AsyncSession, *, actor: User, form: ErasureForm, now: datetime
) -> Erasure:
    """Find the young person; erase them when the admin confirmed, else show what was found.

    Refused while the course is active (in a course, or started education or a job),
    unless the person was created by mistake: an active course is ended first.
    """
    if actor.role != Role.admin:
        raise Forbidden()
    values = form.model_dump(mode="json")
    youth = await _youth_by_address(db, form.address, values)
    assert youth.id is not None
    if youth.status != CourseStatus.ended and form.reason != ErasureReason.mistake:
        message = N_(
            "This young person's course is still active. Their guide ends the course "
            "first; only a person created by mistake can be erased now."
        )
        raise ValidationFailed({"reason": gettext(message)}, values)
    guide = await db.get(User, youth.guide_id) if youth.guide_id else None
    found = Found(
        youth_id=youth.id,
        status=youth.status,
        created_on=copenhagen_today(youth.created_at),
        guide_name=guide.name if guide else None,
    )
    if not form.confirm:
        return Erasure(found, erased=False)
    # False: a request sent at the same moment erased them first. Either way they are gone,
    # and the change log holds one erasure.
    await erase_youth(
        db,
        youth_id=youth.id,
        now=now,
        actor=actor,
        action="person.erase",
        after={"reason": form.reason.value},
    )
    return Erasure(found, erased=True)


async def _youth_by_address(db: AsyncSession, raw: str, values: dict[str, Any]) -> Youth:
    address = parse_address(raw)
    if address is None:
        message = N_("Write a phone number or an e-mail address.")
        raise ValidationFailed({"address": gettext(message)}, values)
    column = col(User.phone) if address.kind == "phone" else col(User.email)
    row = (
        await db.exec(
            select(Youth)
            .join(User, col(User.id) == col(Youth.user_id))
            .where(column == address.value, col(User.role) == Role.youth)
        )
    ).first()
    if row is None:
        message = N_("No young person has this phone number or e-mail address.")
        raise ValidationFailed({"address": gettext(message)}, values)
    return row


async def erase_youth(
    db: AsyncSession,
    *,
    youth_id: int,
    now: datetime,
    actor: User | None = None,
    action: str = "retention.erase",
    after: dict[str, Any] | None = None,
) -> bool:
    """Delete one young person and everything about them; False if gone already.

    The young person's row is locked first, so two erasures at once erase once.
    """
    youth = (
        await db.exec(select(Youth).where(col(Youth.id) == youth_id).with_for_update())
    ).first()
    if youth is None:
        return False
    user_id = youth.user_id
    user = await db.get(User, user_id)
    # The rows go by plain DELETE statements: the session must not keep them either.
    db.expunge(youth)
    if user is not None:
        db.expunge(user)
    await _forget_mentions(db, youth_id=youth_id, user_id=user_id)
    users: Table = User.__table__  # type: ignore[attr-defined]
    # Deleting the account reaches the Youth row (youth.user_id) and, from there, all
    # of the young person's data, their sessions included.
    await _remove(db, users, users.c.id == user_id, depth=0)
    await changes.record(
        db,
        actor=actor,
        action=action,
        target=f"youth:{youth_id}",
        before={"youth_id": youth_id},
        after=after,
        now=now,
    )
    log.info("young person's data deleted", extra={"event": action, "youth": youth_id})
    return True


async def _forget_mentions(db: AsyncSession, *, youth_id: int, user_id: int) -> None:
    """Notifications for staff that name the young person (by id, in their params)."""
    rows = await db.exec(
        select(Notification.id, Notification.params).where(
            or_(
                col(Notification.params).contains(f'"youth_id": {youth_id}'),
                col(Notification.params).contains(f'"youth_user_id": {user_id}'),
            )
        )
    )
    ids = []
    for notification_id, params in rows.all():
        try:
            value = json.loads(params or "{}")
        except ValueError:
            continue
        if value.get("youth_id") == youth_id or value.get("youth_user_id") == user_id:
            ids.append(notification_id)
    if ids:
        await db.exec(
            delete(NotificationAttempt).where(col(NotificationAttempt.notification_id).in_(ids))  # type: ignore[call-overload]
        )
        await db.exec(delete(Notification).where(col(Notification.id).in_(ids)))  # type: ignore[call-overload]


async def _remove(db: AsyncSession, table: Table, where: ColumnElement[bool], depth: int) -> None:
    """Delete the rows of `table` matching `where`, after whatever references them."""
    if depth > MAX_DEPTH:
        raise RuntimeError(f"references nested deeper than {MAX_DEPTH} below {table.name}")
    for child in SQLModel.metadata.sorted_tables:
        for fk in child.foreign_keys:
            if fk.column.table is not table:
                continue
            keys = select(fk.column).where(where)
            referencing: Any = fk.parent
            if referencing.nullable:
                await db.exec(
                    update(child).where(referencing.in_(keys)).values({referencing.name: None})  # type: ignore[call-overload]
                )
            else:
                await _remove(db, child, referencing.in_(keys), depth + 1)
    await db.exec(delete(table).where(where))  # type: ignore[call-overload]
