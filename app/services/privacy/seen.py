""" "Hvem har set mine data": every time staff opened the young person's data, grouped.

A guide who opens the plan four times one morning is one line, "Camilla så din plan
4 gange", not four: views are grouped by day (Copenhagen time), person, what they
looked at and whether they were covering. The groups come a page at a time, newest
first. The young person's own download of their data is in the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import in_copenhagen
from app.i18n import N_
from app.models import AuditRecord, User
from app.services.privacy.record import own_person

PAGE_SIZE = 20
# What was looked at, in plain words, by the audit action's area (`plan.view` -> plan).
# An area that audits a new kind of data adds its words here.
WHAT = {
    "privacy": N_("You downloaded all your data"),
    "plan": N_("Looked at your plan"),
    "message": N_("Looked at your messages"),
    "messages": N_("Looked at your messages"),
    "checkin": N_("Looked at your check-ins"),
    "checkins": N_("Looked at your check-ins"),
    "note": N_("Looked at your notes"),
    "notes": N_("Looked at your notes"),
    "appointment": N_("Looked at your appointments"),
    "appointments": N_("Looked at your appointments"),
    "followup": N_("Looked at how it is going at your education or job"),
    "eftervend": N_("Looked at how it is going at your education or job"),
    "youth": N_("Looked at your profile"),
    "profile": N_("Looked at your profile"),
}
ANYTHING = N_("Looked at your information")


def what(action: str) -> str:
    """The message id saying what an audit action looked at."""
    return WHAT.get(area_of(action), ANYTHING)


@dataclass(frozen=True)
class SeenGroup:
    """One person's views of one kind of data on one day."""

    day: date
    who: User
    area: str
    via: str
    count: int
    first_at: datetime
    last_at: datetime

    @property
    def is_self(self) -> bool:
        return self.via == "self"

    @property
    def what(self) -> str:
        return WHAT.get(self.area, ANYTHING)


@dataclass(frozen=True)
class SeenPage:
    groups: list[SeenGroup]
    page: int
    has_older: bool

    @property
    def has_newer(self) -> bool:
        return self.page > 1


def area_of(action: str) -> str:
    """`plan.view` -> `plan`: what the young person is told was looked at."""
    return action.split(".", 1)[0]


async def who_has_seen(db: AsyncSession, *, actor: User, page: int = 1) -> SeenPage:
    """One page of grouped views of this young person's data, the newest day first."""
    person = await own_person(db, actor=actor)
    rows = (
        await db.exec(
            select(AuditRecord.at, AuditRecord.actor_id, AuditRecord.action, AuditRecord.via)
            .where(AuditRecord.youth_id == person.youth_id)
            .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        )
    ).all()
    groups: dict[tuple[date, int, str, str], list[datetime]] = {}
    for at, actor_id, action, via in rows:
        key = (in_copenhagen(at).date(), actor_id, area_of(action), via)
        groups.setdefault(key, []).append(at)
    page = max(page, 1)
    keys = list(groups)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ids = {key[1] for key in keys}
    people = {u.id: u for u in (await db.exec(select(User).where(col(User.id).in_(ids)))).all()}
    shown = [
        SeenGroup(
            day=key[0],
            who=people[key[1]],
            area=key[2],
            via=key[3],
            count=len(groups[key]),
            first_at=min(groups[key]),
            last_at=max(groups[key]),
        )
        for key in keys
    ]
    return SeenPage(groups=shown, page=page, has_older=len(groups) > page * PAGE_SIZE)
