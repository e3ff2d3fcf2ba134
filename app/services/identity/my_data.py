"""A person's own data: signed-in devices, who has seen their data, and an export.

"Everything we write is available to the young person" — the export holds everything
about them in the tables this app has; each area adds its own part to `EXPORTERS`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.models import (
    AuditRecord,
    Message,
    Notification,
    Passkey,
    PlanStep,
    User,
    UserSession,
    Youth,
    YouthIdentityLink,
)
from app.security.sessions import end_all_sessions, end_session
from app.services.identity import my_data_areas

AUTH_KINDS = ("auth.code", "auth.invite")


@dataclass(frozen=True)
class Device:
    session: UserSession
    current: bool


async def devices(
    db: AsyncSession, *, actor: User, current_session_id: str | None, now: datetime
) -> list[Device]:
    """The devices where this person is signed in right now, the newest use first."""
    rows = (
        await db.exec(
            select(UserSession)
            .where(
                UserSession.user_id == actor.id,
                col(UserSession.ended_at).is_(None),
                col(UserSession.absolute_expires_at) > now,
            )
            .order_by(col(UserSession.last_seen_at).desc())
        )
    ).all()
    live = [s for s in rows if s.last_seen_at + timedelta(seconds=s.idle_timeout_seconds) > now]
    return [Device(session=s, current=s.id == current_session_id) for s in live]


async def sign_out_device(db: AsyncSession, *, actor: User, session_id: str, now: datetime) -> None:
    """End one of one's own sessions; anyone else's is NotFound."""
    session = await db.get(UserSession, session_id)
    if session is None or session.user_id != actor.id:
        raise NotFound()
    await end_session(db, session_id=session_id, now=now)


async def sign_out_everywhere(db: AsyncSession, *, actor: User, now: datetime) -> None:
    assert actor.id is not None
    await end_all_sessions(db, user_id=actor.id, now=now)


@dataclass(frozen=True)
class SeenBy:
    record: AuditRecord
    staff: User


async def who_has_seen(db: AsyncSession, *, actor: User) -> list[SeenBy]:
    """Every time staff opened this young person's data, the newest first."""
    youth = await _own_youth(db, actor)
    rows = await db.exec(
        select(AuditRecord, User)
        .join(User, col(User.id) == col(AuditRecord.actor_id))
        .where(AuditRecord.youth_id == youth.id)
        .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        .limit(500)
    )
    return [SeenBy(record=r, staff=u) for r, u in rows.all()]


async def _own_youth(db: AsyncSession, actor: User) -> Youth:
    youth = (await db.exec(select(Youth).where(Youth.user_id == actor.id))).first()
    if youth is None:
        raise NotFound()
    return youth


def _row(model: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        k: v for k, v in model.model_dump(mode="json", warnings=False).items() if k not in leave_out
    }


Exporter = Callable[[AsyncSession, User, Youth], Awaitable[dict[str, Any]]]


async def _profile(db: AsyncSession, actor: User, youth: Youth) -> dict[str, Any]:
    guide = await db.get(User, youth.guide_id) if youth.guide_id else None
    link = (
        await db.exec(select(YouthIdentityLink).where(YouthIdentityLink.youth_id == youth.id))
    ).first()
    return {
        "profile": _row(actor, leave_out=("oidc_sub",)),
        "course": {
            **_row(youth),
            "guide": {"name": guide.name} if guide else None,
            "identity_reference": link.ref if link else None,
        },
    }


async def _plan_and_messages(db: AsyncSession, actor: User, youth: Youth) -> dict[str, Any]:
    steps = (
        await db.exec(
            select(PlanStep).where(PlanStep.youth_id == youth.id).order_by(col(PlanStep.position))
        )
    ).all()
    messages = (
        await db.exec(
            select(Message).where(Message.youth_id == youth.id).order_by(col(Message.sent_at))
        )
    ).all()
    return {
        "plan_steps": [_row(s) for s in steps],
        "messages": [_row(m) for m in messages],
    }


async def _notifications_and_access(db: AsyncSession, actor: User, youth: Youth) -> dict[str, Any]:
    notes = (
        await db.exec(
            select(Notification)
            .where(Notification.user_id == actor.id)
            .order_by(col(Notification.id))
        )
    ).all()
    sessions = (
        await db.exec(
            select(UserSession)
            .where(UserSession.user_id == actor.id)
            .order_by(col(UserSession.created_at))
        )
    ).all()
    passkeys = (await db.exec(select(Passkey).where(Passkey.user_id == actor.id))).all()
    seen = await who_has_seen(db, actor=actor)
    return {
        # Sign-in codes and invite links are secrets: the export names them, never shows them.
        "notifications": [
            {
                **_row(n, leave_out=("params", "lease_until")),
                "params": None if n.kind in AUTH_KINDS else json.loads(n.params or "{}"),
            }
            for n in notes
        ],
        "devices": [_row(s, leave_out=("id",)) for s in sessions],
        "passkeys": [_row(p, leave_out=("public_key",)) for p in passkeys],
        "who_has_seen_my_data": [
            {
                "at": s.record.at.isoformat(),
                "who": s.staff.name,
                "role": str(s.staff.role),
                "what": s.record.action,
                "as_cover": s.record.via == "cover",
            }
            for s in seen
        ],
    }


EXPORTERS: list[Exporter] = [
    _profile,
    _plan_and_messages,
    _notifications_and_access,
    my_data_areas.notes_and_appointments,
    my_data_areas.checkins_and_follow_ups,
]


async def export(db: AsyncSession, *, actor: User, now: datetime) -> dict[str, Any]:
    """Everything about this young person, as one JSON document."""
    youth = await _own_youth(db, actor)
    document: dict[str, Any] = {"exported_at": now.isoformat(), "format": "trinvis-export-1"}
    for exporter in EXPORTERS:
        document.update(await exporter(db, actor, youth))
    return document
