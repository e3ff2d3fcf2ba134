"""The privacy notice and the accessibility statement: the facts each page shows.

Trinvis writes what it knows (purposes, categories, recipients, rights, how the pages
were tested); the municipality fills in who it is and how to reach it and its DPO
(admin settings); the retention periods are the ones the deletion job uses, read from
the same settings, so the notice cannot promise another period than the one in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import Municipality
from app.services.admin import municipal_settings
from app.services.admin.municipal_settings import NoticeSettings
from app.services.identity.one_time_codes import CODE_TTL
from app.settings import Settings

DATATILSYNET = {
    "name": "Datatilsynet",
    "address": "Carl Jacobsens Vej 35, 2500 Valby",
    "email": "dt@datatilsynet.dk",
    "url": "https://www.datatilsynet.dk",
}
DIGITALISERINGSSTYRELSEN = {
    "name": "Digitaliseringsstyrelsen",
    "url": "https://www.digst.dk",
}
# When this statement's text (Trinvis' part) was last written; the municipality's own
# review date is a setting.
STATEMENT_PREPARED_ON = date(2026, 12, 3)


@dataclass(frozen=True)
class Notice:
    """What the privacy notice and the accessibility statement show."""

    municipality: str
    contacts: NoticeSettings
    retention_months: int
    code_minutes: int
    staff_idle_minutes: int
    public_base_url: str

    @property
    def retention_years(self) -> float:
        return self.retention_months / 12

    @property
    def controller(self) -> str:
        return self.contacts.controller_name or self.municipality


async def notice(db: AsyncSession, *, settings: Settings) -> Notice:
    """The notice facts in force now."""
    in_force = await municipal_settings.current(db)
    contacts = await municipal_settings.notice_settings(db)
    first = (await db.exec(select(Municipality).order_by(col(Municipality.id)))).first()
    return Notice(
        municipality=first.name if first else "",
        contacts=contacts,
        retention_months=in_force.retention_months,
        code_minutes=int(CODE_TTL.total_seconds() // 60),
        staff_idle_minutes=settings.staff_idle_minutes,
        public_base_url=settings.public_base_url,
    )
