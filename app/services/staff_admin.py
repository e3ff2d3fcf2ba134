"""What an admin does about access: add staff, end someone's sessions, export the audit log.

Staff get their role here, never from the IdP: the admin adds a person by work e-mail,
and their first sign-in at the IdP binds the IdP's `sub` to that row.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import AuditRecord, Role, Team, User
from app.security.sessions import end_all_sessions
from app.services.one_time_codes import parse_address
from app.web.timefmt import LOCAL_TZ

log = logging.getLogger("trinvis.security")

MAX_EXPORT_DAYS = 366


class StaffForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    role: Literal["guide", "leader", "admin"]
    team_id: int | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        address = parse_address(value)
        if address is None or address.kind != "email":
            raise ValueError(N_("Please write an e-mail address, for example navn@mail.dk."))
        return address.value


class AuditPeriod(BaseModel):
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _order(self) -> AuditPeriod:
        if self.end < self.start:
            raise ValueError(N_("The end date must be on or after the start date."))
        if (self.end - self.start).days >= MAX_EXPORT_DAYS:
            raise ValueError(N_("Choose a period of at most one year."))
        return self


def _require_admin(actor: User) -> None:
    if actor.role != Role.admin:
        raise Forbidden()


async def teams(db: AsyncSession) -> list[Team]:
    return list((await db.exec(select(Team).order_by(col(Team.name)))).all())


async def add_staff(db: AsyncSession, *, actor: User, form: StaffForm, now: datetime) -> User:
    """Add a staff member; they can sign in at the IdP with this e-mail from now on."""
    _require_admin(actor)
    taken = (await db.exec(select(User).where(func.lower(col(User.email)) == form.email))).first()
    if taken is not None:
        raise ValidationFailed(
            {"email": gettext("Someone already has this e-mail address.")},
            form.model_dump(mode="json"),
        )
    if form.team_id is not None and await db.get(Team, form.team_id) is None:
        raise ValidationFailed(
            {"team_id": gettext("Please choose one of the options.")}, form.model_dump(mode="json")
        )
    user = User(
        role=Role(form.role), name=form.name, email=form.email, team_id=form.team_id, created_at=now
    )
    db.add(user)
    await db.flush()
    log.info(
        "staff added", extra={"event": "staff_added", "user_id": actor.id, "new_user_id": user.id}
    )
    return user


async def end_sessions(db: AsyncSession, *, actor: User, user_id: int, now: datetime) -> User:
    """Sign a person out on every device (a lost phone, someone leaving)."""
    _require_admin(actor)
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound()
    await end_all_sessions(db, user_id=user_id, now=now)
    log.info(
        "sessions ended by admin",
        extra={"event": "sessions_ended", "user_id": actor.id, "target_user_id": user_id},
    )
    return user


CSV_COLUMNS = ["time_utc", "staff_id", "staff_name", "staff_role", "youth_id", "action", "via"]


async def audit_csv(db: AsyncSession, *, actor: User, period: AuditPeriod) -> str:
    """The audit log for whole days (Europe/Copenhagen) from `start` to `end`, as CSV.

    Young people appear by id only: admins reach no young person's content.
    """
    _require_admin(actor)
    begins = datetime.combine(period.start, time(0), LOCAL_TZ)
    ends = datetime.combine(period.end + timedelta(days=1), time(0), LOCAL_TZ)
    rows = await db.exec(
        select(AuditRecord, User)
        .join(User, col(User.id) == col(AuditRecord.actor_id))
        .where(col(AuditRecord.at) >= begins, col(AuditRecord.at) < ends)
        .order_by(col(AuditRecord.at), col(AuditRecord.id))
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record, staff in rows.all():
        writer.writerow(
            [
                record.at.isoformat(),
                staff.id,
                _cell(staff.name),
                str(staff.role),
                record.youth_id or "",
                record.action,
                record.via,
            ]
        )
    log.info("audit exported", extra={"event": "audit_export", "user_id": actor.id})
    return out.getvalue()


def _cell(text: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
