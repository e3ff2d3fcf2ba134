"""The caseload's columns: one set-based query per column family, grouped by young person.

Each takes the ids of young people already scoped to the guide (`caseload.guide_caseload`)
and costs one statement however many there are. The guide's start page is a hot path
(ARCHITECTURE.md): every statement is built once, with the ids as an expanding bind
parameter, and run with `params=`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import (
    AlertKind,
    Appointment,
    AppointmentStatus,
    CallOutcome,
    CheckIn,
    CheckInAlert,
    Enrollment,
    FollowUp,
    Message,
    MessageKind,
    PlanStep,
    RiskFlag,
    StepStatus,
    Youth,
)
from app.models.base import utc_aggregate

_IDS: Any = bindparam("ids", expanding=True)
_NOW: Any = bindparam("now")


@dataclass(frozen=True)
class NextStep:
    title: str
    due_on: Any


def _build_next_steps() -> Any:
    rank = (
        func.row_number()
        .over(
            partition_by=col(PlanStep.youth_id),
            order_by=(
                case((col(PlanStep.status) == StepStatus.doing, 0), else_=1),
                col(PlanStep.position),
                col(PlanStep.id),
            ),
        )
        .label("rank")
    )
    ranked = (
        sa_select(PlanStep.youth_id, PlanStep.title, PlanStep.due_on, rank)  # type: ignore[call-overload]
        .where(
            col(PlanStep.youth_id).in_(_IDS),
            col(PlanStep.status) != StepStatus.done,
            col(PlanStep.deleted_at).is_(None),
        )
        .subquery()
    )
    return sa_select(ranked.c.youth_id, ranked.c.title, ranked.c.due_on).where(  # type: ignore[call-overload]
        ranked.c.rank == 1
    )


_NEXT_STEPS = _build_next_steps()


async def next_steps(db: AsyncSession, ids: list[int]) -> dict[int, NextStep]:
    """The step the young person's home shows: one already started, else the first open."""
    result = await db.exec(_NEXT_STEPS, params={"ids": ids})
    return {youth_id: NextStep(title, due_on) for youth_id, title, due_on in result.all()}


def _build_last_contacts() -> Any:
    messages: Any = sa_select(
        col(Message.youth_id).label("youth_id"), col(Message.sent_at).label("at")
    ).where(col(Message.youth_id).in_(_IDS), col(Message.kind) == MessageKind.text)
    meetings: Any = sa_select(
        col(Appointment.youth_id).label("youth_id"), col(Appointment.starts_at).label("at")
    ).where(
        col(Appointment.youth_id).in_(_IDS),
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) <= _NOW,
    )
    calls: Any = sa_select(
        col(FollowUp.youth_id).label("youth_id"), col(FollowUp.handled_at).label("at")
    ).where(col(FollowUp.youth_id).in_(_IDS), col(FollowUp.call_outcome) == CallOutcome.reached)
    together: Any = sa_select(
        col(CheckIn.youth_id).label("youth_id"), col(CheckIn.taken_at).label("at")
    ).where(col(CheckIn.youth_id).in_(_IDS), col(CheckIn.together))
    contacts = union_all(messages, meetings, calls, together).subquery()
    return sa_select(contacts.c.youth_id, func.max(contacts.c.at)).group_by(  # type: ignore[call-overload]
        contacts.c.youth_id
    )


_LAST_CONTACTS = _build_last_contacts()


async def last_contacts(db: AsyncSession, ids: list[int], now: datetime) -> dict[int, datetime]:
    """A written message either way, a held appointment, a call that reached them, or a
    check-in filled in together: whichever was last."""
    result = await db.exec(_LAST_CONTACTS, params={"ids": ids, "now": now})
    return {youth_id: utc_aggregate(at) for youth_id, at in result.all() if at is not None}


def _build_conversations() -> Any:
    answered = (
        sa_select(func.coalesce(func.max(col(Message.id)), 0))
        .where(
            col(Message.youth_id) == col(Youth.id),
            col(Message.kind) == MessageKind.text,
            col(Message.sender_id) != col(Youth.user_id),
        )
        .correlate(Youth)
        .scalar_subquery()
    )
    unread = func.sum(case((col(Message.read_at).is_(None), 1), else_=0))
    waiting = func.min(case((col(Message.id) > answered, col(Message.sent_at)), else_=None))
    return (
        sa_select(col(Message.youth_id), unread, waiting)  # type: ignore[call-overload]
        .join(Youth, col(Youth.id) == col(Message.youth_id))
        .where(col(Message.youth_id).in_(_IDS), col(Message.sender_id) == col(Youth.user_id))
        .group_by(col(Message.youth_id))
    )


_CONVERSATIONS = _build_conversations()


async def conversations(db: AsyncSession, ids: list[int]) -> list[tuple[int, int, Any]]:
    """Per young person: their unread messages, and since when one waits for an answer."""
    result = await db.exec(_CONVERSATIONS, params={"ids": ids})
    return [
        (youth_id, count, utc_aggregate(since) if since is not None else None)
        for youth_id, count, since in result.all()
    ]


_OPEN_ALERTS: Any = (
    sa_select(  # type: ignore[call-overload]
        col(CheckInAlert.youth_id),
        func.count(),
        func.sum(case((col(CheckInAlert.kind) == AlertKind.urgent, 1), else_=0)),
        func.min(col(CheckInAlert.created_at)),
    )
    .where(col(CheckInAlert.youth_id).in_(_IDS), col(CheckInAlert.acknowledged_at).is_(None))
    .group_by(col(CheckInAlert.youth_id))
)


async def open_alerts(db: AsyncSession, ids: list[int]) -> list[tuple[int, int, int, datetime]]:
    return list((await db.exec(_OPEN_ALERTS, params={"ids": ids})).all())


_OPEN_FLAGS: Any = (
    sa_select(col(RiskFlag.youth_id), func.count())  # type: ignore[call-overload]
    .where(col(RiskFlag.youth_id).in_(_IDS), col(RiskFlag.handled_at).is_(None))
    .group_by(col(RiskFlag.youth_id))
)


async def open_flags(db: AsyncSession, ids: list[int]) -> list[tuple[int, int]]:
    return list((await db.exec(_OPEN_FLAGS, params={"ids": ids})).all())


_NEXT_APPOINTMENTS: Any = (
    sa_select(col(Appointment.youth_id), func.min(col(Appointment.starts_at)))  # type: ignore[call-overload]
    .where(
        col(Appointment.youth_id).in_(_IDS),
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) > _NOW,
    )
    .group_by(col(Appointment.youth_id))
)


async def next_appointments(
    db: AsyncSession, ids: list[int], now: datetime
) -> list[tuple[int, datetime]]:
    result = await db.exec(_NEXT_APPOINTMENTS, params={"ids": ids, "now": now})
    return [(youth_id, utc_aggregate(at)) for youth_id, at in result.all() if at is not None]


_NEXT_FOLLOW_UPS: Any = (
    sa_select(col(FollowUp.youth_id), func.min(col(FollowUp.due_at)))  # type: ignore[call-overload]
    .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
    .where(
        col(FollowUp.youth_id).in_(_IDS),
        col(FollowUp.handled_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
        col(Enrollment.ended_at).is_(None),
    )
    .group_by(col(FollowUp.youth_id))
)


async def next_follow_ups(db: AsyncSession, ids: list[int]) -> list[tuple[int, datetime]]:
    """The earliest follow-up not yet handled: overdue ones show with their old date.

    Only while the education or job runs: after it ended, its unanswered follow-ups are
    history (the call list and the young person's page show none either)."""
    result = await db.exec(_NEXT_FOLLOW_UPS, params={"ids": ids})
    return [(youth_id, utc_aggregate(at)) for youth_id, at in result.all() if at is not None]
