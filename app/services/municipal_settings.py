"""The municipality's settings, with defaults: one typed model over `AppSetting` rows.

Each setting is one JSON row by key, read where it takes effect:
- check-in cadence: new young people (`app/services/invites.py`, the demo);
- eftervend first gap, interval and length: a newly registered start
  (`app/services/enrollments.py`); the guide can still change them per young person;
- quiet hours: `app/notifications/rules.py` (the worker holds notifications back) and
  the SMS fallback for unread messages (`app/services/message_notify.py`);
- SMS delay: `app/services/availability.py` `sms_fallback_minutes`;
- data retention: the worker job in `app/services/retention.py`.
A missing or broken row means the default: a bad value never stops the worker.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden
from app.i18n import N_
from app.models import AppSetting, Role, User
from app.notifications.rules import QUIET_HOURS_KEY, quiet_hours
from app.services import admin_changes

SMS_DELAY_KEY = "messages.sms_fallback_minutes"
# Field name -> AppSetting key, for the settings stored as one number each.
NUMBER_KEYS = {
    "checkin_cadence_days": "checkins.default_cadence_days",
    "followup_first_gap_days": "eftervend.first_gap_days",
    "followup_interval_days": "eftervend.interval_days",
    "followup_length_months": "eftervend.length_months",
    "sms_delay_minutes": SMS_DELAY_KEY,
    "retention_months": "retention.months_after_course_end",
}
QUIET_FIELDS = ("quiet_start_hour", "quiet_end_hour")

LABELS = {
    "checkin_cadence_days": N_("Check-in every (days)"),
    "followup_first_gap_days": N_("First follow-up after (days)"),
    "followup_interval_days": N_("Then a follow-up every (days)"),
    "followup_length_months": N_("Follow-up for (months)"),
    "quiet_start_hour": N_("Quiet from (hour)"),
    "quiet_end_hour": N_("Quiet until (hour)"),
    "sms_delay_minutes": N_("SMS about an unread message after (minutes)"),
    "retention_months": N_("Delete a young person's data after the course ended (months)"),
}


class MunicipalSettings(BaseModel):
    """The settings and their defaults (the practice's numbers, see DESIGN.md)."""

    checkin_cadence_days: int = Field(default=30, ge=14, le=92)
    followup_first_gap_days: int = Field(default=7, ge=1, le=60)
    followup_interval_days: int = Field(default=14, ge=7, le=60)
    followup_length_months: int = Field(default=12, ge=1, le=24)
    quiet_start_hour: int = Field(default=22, ge=0, le=23)
    quiet_end_hour: int = Field(default=7, ge=0, le=23)
    sms_delay_minutes: int = Field(default=30, ge=5, le=1440)
    retention_months: int = Field(default=60, ge=6, le=120)

    @field_validator("quiet_end_hour")
    @classmethod
    def _quiet_hours_differ(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("quiet_start_hour") == value:
            raise ValueError(N_("The quiet hours must end at another hour than they start."))
        return value


DEFAULTS = MunicipalSettings()


async def current(db: AsyncSession) -> MunicipalSettings:
    """The settings in force: stored values, the default for any missing or broken one."""
    rows = await db.exec(select(AppSetting).where(col(AppSetting.key).in_([*NUMBER_KEYS.values()])))
    stored = {row.key: row.value for row in rows.all()}
    values: dict[str, Any] = {}
    for field, key in NUMBER_KEYS.items():
        value = _number(stored.get(key))
        if value is not None:
            values[field] = value
    hours = await quiet_hours(db)
    values["quiet_start_hour"], values["quiet_end_hour"] = hours.start.hour, hours.end.hour
    return _validated(values)


def _number(text: str | None) -> int | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _validated(values: dict[str, Any]) -> MunicipalSettings:
    for _ in range(len(values) + 1):
        try:
            return MunicipalSettings.model_validate(values)
        except ValidationError as exc:
            broken = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if "quiet_end_hour" in broken:
                broken.update(QUIET_FIELDS)
            values = {k: v for k, v in values.items() if k not in broken}
    return MunicipalSettings()


async def update(
    db: AsyncSession, *, actor: User, form: MunicipalSettings, now: datetime
) -> list[str]:
    """Store the changed settings, one admin change (old → new) each; the changed names."""
    if actor.role != Role.admin:
        raise Forbidden()
    old = await current(db)
    changed = [
        field
        for field in MunicipalSettings.model_fields
        if getattr(old, field) != getattr(form, field)
    ]
    for field in changed:
        if field in NUMBER_KEYS:
            await _store(db, NUMBER_KEYS[field], json.dumps(getattr(form, field)))
        await admin_changes.record(
            db,
            actor=actor,
            action="setting.change",
            target=f"setting:{field}",
            target_label=field,
            before={"value": getattr(old, field)},
            after={"value": getattr(form, field)},
            now=now,
        )
    if any(field in QUIET_FIELDS for field in changed):
        # The format `app/notifications/rules.py` reads.
        start, end = time(form.quiet_start_hour), time(form.quiet_end_hour)
        value = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
        await _store(db, QUIET_HOURS_KEY, json.dumps(value))
    await db.flush()
    return changed


async def _store(db: AsyncSession, key: str, value: str) -> None:
    row = await db.get(AppSetting, key)
    if row is None:
        row = AppSetting(key=key, value=value)
    else:
        row.value = value
    db.add(row)
