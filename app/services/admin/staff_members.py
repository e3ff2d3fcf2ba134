"""What an admin does about access: add, edit, deactivate and reactivate staff, end
someone's sessions, export the audit log.

Staff get their role here, never from the IdP: the admin adds a person by work e-mail,
and their first sign-in at the IdP binds the IdP's `sub` to that row. Every change is
written to the admin change log (`app/services/admin/changes.py`).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import at_copenhagen_time
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.i18n import N_, gettext
from app.models import STAFF_ROLES, AuditRecord, CourseStatus, Role, Team, User, Youth
from app.security.audit import record_export
from app.security.sessions import end_all_sessions
from app.services.admin import changes
from app.services.identity.one_time_codes import parse_address

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


class StaffEditForm(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    role: Literal["guide", "leader", "admin"]
    team_id: int | None = None


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
    await changes.record(
        db,
        actor=actor,
        action="staff.add",
        target=f"user:{user.id}",
        target_label=user.name,
        after={"role": form.role, "email": form.email, "team": await _team_name(db, form.team_id)},
        now=now,
    )
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
    await changes.record(
        db,
        actor=actor,
        action="staff.end_sessions",
        target=f"user:{user_id}",
        target_label=user.name if user.is_staff else "",
        now=now,
    )
    log.info(
        "sessions ended by admin",
        extra={"event": "sessions_ended", "user_id": actor.id, "target_user_id": user_id},
    )
    return user


@dataclass(frozen=True)
class StaffMember:
    """A staff account as the admin sees it: no young person's data, only a count."""

    user: User
    team: str
    caseload: int  # young people assigned whose course has not ended


async def staff_list(db: AsyncSession, *, actor: User) -> list[StaffMember]:
    """Every staff account with team and caseload size, active ones first."""
    _require_admin(actor)
    counts = (
        select(Youth.guide_id, func.count().label("n"))
        .where(col(Youth.status) != CourseStatus.ended)
        .group_by(col(Youth.guide_id))
        .subquery()
    )
    rows = await db.exec(
        select(User, Team.name, func.coalesce(counts.c.n, 0))
        .outerjoin(Team, col(Team.id) == col(User.team_id))
        .outerjoin(counts, counts.c.guide_id == col(User.id))
        .where(col(User.role) != Role.youth)
        .order_by(col(User.is_active).desc(), col(User.role), col(User.name))
    )
    return [StaffMember(user=u, team=t or "", caseload=int(n)) for u, t, n in rows.all()]


async def staff_member(db: AsyncSession, *, actor: User, user_id: int) -> StaffMember:
    """One staff account; a young person's account is NotFound (admins never reach them)."""
    _require_admin(actor)
    user = await db.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound()
    return StaffMember(
        user=user, team=await _team_name(db, user.team_id), caseload=await _caseload(db, user_id)
    )


async def _caseload(db: AsyncSession, guide_id: int) -> int:
    count = await db.exec(
        select(func.count())
        .select_from(Youth)
        .where(Youth.guide_id == guide_id, col(Youth.status) != CourseStatus.ended)
    )
    return int(count.one())


async def _team_name(db: AsyncSession, team_id: int | None) -> str:
    team = await db.get(Team, team_id) if team_id is not None else None
    return team.name if team is not None else ""


async def edit_staff(
    db: AsyncSession, *, actor: User, user_id: int, form: StaffEditForm, now: datetime
) -> StaffMember:
    """Change a staff member's name, role and team."""
    member = await staff_member(db, actor=actor, user_id=user_id)
    user, values = member.user, form.model_dump(mode="json")
    if user.id == actor.id and form.role != Role.admin:
        message = N_("You cannot take away your own administrator role. Ask another administrator.")
        raise ValidationFailed({"role": gettext(message)}, values)
    if user.role == Role.guide and form.role != Role.guide and member.caseload:
        message = N_(
            "This guide still has young people. A leader must hand them over before the role "
            "can change."
        )
        raise ValidationFailed({"role": gettext(message)}, values)
    if form.team_id is not None and await db.get(Team, form.team_id) is None:
        raise ValidationFailed({"team_id": gettext("Please choose one of the options.")}, values)
    before = {"name": user.name, "role": str(user.role), "team": member.team}
    after = {"name": form.name, "role": form.role, "team": await _team_name(db, form.team_id)}
    changed = [key for key in before if before[key] != after[key]]
    if not changed:
        return member
    user.name, user.role, user.team_id = form.name, Role(form.role), form.team_id
    db.add(user)
    await changes.record(
        db,
        actor=actor,
        action="staff.edit",
        target=f"user:{user.id}",
        target_label=user.name,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        now=now,
    )
    return StaffMember(user=user, team=after["team"], caseload=member.caseload)


async def deactivate(db: AsyncSession, *, actor: User, user_id: int, now: datetime) -> StaffMember:
    """Close a staff account: no sign-in from now on, and every session ends at once.

    A guide's young people stay assigned: the page warns that a leader must hand them
    over (`app/services/workspace/team.py`).
    """
    member = await staff_member(db, actor=actor, user_id=user_id)
    if member.user.id == actor.id:
        raise Conflict(N_("You cannot deactivate yourself. Ask another administrator."))
    await close_account(db, user=member.user, actor=actor, now=now)
    return member


async def reactivate(db: AsyncSession, *, actor: User, user_id: int, now: datetime) -> StaffMember:
    """Open a closed staff account again; they sign in at the IdP as before."""
    member = await staff_member(db, actor=actor, user_id=user_id)
    await open_account(db, user=member.user, actor=actor, now=now)
    return member


async def close_account(
    db: AsyncSession,
    *,
    user: User,
    actor: User | None,
    now: datetime,
    action: str = "staff.deactivate",
    label: str = "",
) -> bool:
    """No sign-in from now on and every session ended at once (the admin page and SCIM
    alike); False when the account was closed already."""
    if not user.is_active:
        return False
    user.is_active = False
    db.add(user)
    assert user.id is not None
    await end_all_sessions(db, user_id=user.id, now=now)
    await changes.record(
        db,
        actor=actor,
        action=action,
        target=f"user:{user.id}",
        target_label=label or user.name,
        before={"active": True},
        after={"active": False},
        now=now,
    )
    log.info(
        "staff deactivated",
        extra={
            "event": "staff_deactivated",
            "user_id": actor.id if actor else None,
            "target_user_id": user.id,
        },
    )
    return True


async def open_account(
    db: AsyncSession,
    *,
    user: User,
    actor: User | None,
    now: datetime,
    action: str = "staff.reactivate",
    label: str = "",
) -> bool:
    """Open a closed account again; False when it was open already."""
    if user.is_active:
        return False
    user.is_active = True
    db.add(user)
    await changes.record(
        db,
        actor=actor,
        action=action,
        target=f"user:{user.id}",
        target_label=label or user.name,
        before={"active": False},
        after={"active": True},
        now=now,
    )
    await db.flush()
    return True


CSV_COLUMNS = [
    "time_utc",
    "staff_id",
    "staff_name",
    "staff_role",
    "youth_id",
    "action",
    "via",
    "detail",
]


async def audit_csv(db: AsyncSession, *, actor: User, period: AuditPeriod, now: datetime) -> str:
    """The audit log for whole days (Europe/Copenhagen) from `start` to `end`, as CSV.

    Young people appear by id only: admins reach no young person's content. The export
    is itself a use of the log: it is audited first, so a download of today shows itself.
    """
    _require_admin(actor)
    await record_export(
        db, actor=actor, period=f"{period.start.isoformat()}/{period.end.isoformat()}", now=now
    )
    begins = at_copenhagen_time(period.start)
    ends = at_copenhagen_time(period.end + timedelta(days=1))
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
                _cell(record.detail),
            ]
        )
    log.info("audit exported", extra={"event": "audit_export", "user_id": actor.id})
    return out.getvalue()


def _cell(text: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
