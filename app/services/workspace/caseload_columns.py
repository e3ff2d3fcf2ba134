"""The caseload's columns: each one a subquery on the young person's row.

`caseload.py` reads every row of the page with all its columns in ONE statement: the
database answers each column with an index lookup per young person, so the page costs
the same statements for 5 young people as for 50. The guide's start page is a hot path
(ARCHITECTURE.md): the columns are built once, at import, with `now` as a bind parameter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, case, func, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

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
from app.services.checkins.instruments import PRIMARY

_NOW: Any = bindparam("now")


def _per_youth(statement: Any) -> Any:
    """One value per young person: `statement` correlated to the row's `Youth`."""
    return statement.correlate(Youth).scalar_subquery()


# The step the young person's home shows: one already started, else the first open.
# The caller joins `PlanStep` on this id, for its title and due date.
_open_step = aliased(PlanStep, name="open_step")
next_step_id = _per_youth(
    sa_select(col(_open_step.id))
    .where(
        col(_open_step.youth_id) == col(Youth.id),
        col(_open_step.status) != StepStatus.done,
        col(_open_step.deleted_at).is_(None),
    )
    .order_by(
        case((col(_open_step.status) == StepStatus.doing, 0), else_=1),
        col(_open_step.position),
        col(_open_step.id),
    )
    .limit(1)
)


def _build_last_contact() -> Any:
    """A written message either way, a held appointment, a call that reached them, or a
    check-in filled in together: whichever was last."""
    of_youth = Youth.id
    messages: Any = sa_select(col(Message.sent_at).label("at")).where(
        col(Message.youth_id) == of_youth, col(Message.kind) == MessageKind.text
    )
    meetings: Any = sa_select(col(Appointment.starts_at).label("at")).where(
        col(Appointment.youth_id) == of_youth,
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) <= _NOW,
    )
    calls: Any = sa_select(col(FollowUp.handled_at).label("at")).where(
        col(FollowUp.youth_id) == of_youth, col(FollowUp.call_outcome) == CallOutcome.reached
    )
    together: Any = sa_select(col(CheckIn.taken_at).label("at")).where(
        col(CheckIn.youth_id) == of_youth, col(CheckIn.together)
    )
    contacts = union_all(
        *(part.correlate(Youth) for part in (messages, meetings, calls, together))
    ).subquery("contacts")
    return _per_youth(sa_select(func.max(contacts.c.at)))


last_contact = _build_last_contact()


def _build_conversation() -> tuple[Any, Any]:
    """The young person's unread messages, and since when one waits for an answer: the
    first they wrote after the last text written to them."""
    others = aliased(Message, name="answer")
    answered = (
        sa_select(func.coalesce(func.max(col(others.id)), 0))
        .where(
            col(others.youth_id) == col(Youth.id),
            col(others.kind) == MessageKind.text,
            col(others.sender_id) != col(Youth.user_id),
        )
        .correlate(Youth)
        .scalar_subquery()
    )
    theirs = (col(Message.youth_id) == col(Youth.id), col(Message.sender_id) == col(Youth.user_id))
    unread = _per_youth(
        sa_select(func.count()).select_from(Message).where(*theirs, col(Message.read_at).is_(None))
    )
    waiting = _per_youth(
        sa_select(func.min(col(Message.sent_at))).where(*theirs, col(Message.id) > answered)
    )
    return unread, waiting


unread, waiting_since = _build_conversation()


def _who5(checkin: Any, value: Any, offset: int) -> Any:
    return _per_youth(
        sa_select(value)
        .where(col(checkin.youth_id) == col(Youth.id), col(checkin.instrument_code) == PRIMARY)
        .order_by(col(checkin.taken_at).desc(), col(checkin.id).desc())
        .limit(1)
        .offset(offset)
    )


# The latest WHO-5 score, when it was taken, and the score before it: each an index
# lookup (a join on the latest one's id let the planner hash the whole table).
latest_who5 = _who5(CheckIn, CheckIn.score, 0)
latest_who5_at = _who5(CheckIn, CheckIn.taken_at, 0)
_before = aliased(CheckIn, name="before")
previous_who5 = _who5(_before, _before.score, 1)


def _open_alerts(value: Any) -> Any:
    return _per_youth(
        sa_select(value).where(
            col(CheckInAlert.youth_id) == col(Youth.id), col(CheckInAlert.acknowledged_at).is_(None)
        )
    )


open_alerts = _open_alerts(func.count())
urgent_alerts = _open_alerts(
    func.coalesce(func.sum(case((col(CheckInAlert.kind) == AlertKind.urgent, 1), else_=0)), 0)
)
oldest_alert = _open_alerts(func.min(col(CheckInAlert.created_at)))

open_flags = _per_youth(
    sa_select(func.count()).where(
        col(RiskFlag.youth_id) == col(Youth.id), col(RiskFlag.handled_at).is_(None)
    )
)

next_appointment = _per_youth(
    sa_select(func.min(col(Appointment.starts_at))).where(
        col(Appointment.youth_id) == col(Youth.id),
        col(Appointment.status) == AppointmentStatus.planned,
        col(Appointment.starts_at) > _NOW,
    )
)

# The earliest follow-up not yet handled: overdue ones show with their old date. Only
# while the education or job runs: after it ended, its unanswered follow-ups are history
# (the call list and the young person's page show none either).
next_follow_up = _per_youth(
    sa_select(func.min(col(FollowUp.due_at)))
    .join(Enrollment, col(Enrollment.id) == col(FollowUp.enrollment_id))
    .where(
        col(FollowUp.youth_id) == col(Youth.id),
        col(FollowUp.handled_at).is_(None),
        col(FollowUp.cancelled_at).is_(None),
        col(Enrollment.ended_at).is_(None),
    )
)
