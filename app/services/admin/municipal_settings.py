"""The municipality's settings, with defaults: one typed model over `AppSetting` rows.

Each setting is one JSON row by key, read where it takes effect:
- check-in cadence: new young people (`app/services/identity/invites.py`, the demo);
- eftervend first gap, interval and length: a newly registered start
  (`app/services/followups/enrollments.py`); the guide can still change them per young person;
- quiet hours: `app/notifications/rules.py` (the worker holds notifications back) and
  the SMS fallback for unread messages (`app/services/messages/notify.py`);
- SMS delay, the unanswered limit and the help lines: `app/services/messages/availability.py`
  (`sms_fallback_minutes`, `unanswered_limit_minutes`, `help_lines`);
- data retention (a young person's data after the course ended, courses with no
  activity, the audit log, admin changes, notifications and one-time codes): the
  worker job in `app/services/admin/retention.py`.
- the municipality's part of the privacy notice and the accessibility statement
  (`NoticeSettings`, its own form): `app/services/privacy/notices.py`.
- invitations per minute: bulk invites (`app/services/onboarding/bulk_invites.py`).
A missing or broken row means the default: a bad value never stops the worker.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden
from app.i18n import N_
from app.models import AppSetting, Role, User
from app.notifications.rules import QUIET_HOURS_KEY, parse_quiet_hours
from app.services.admin import changes
from app.services.admin.app_settings import forget, stored_values

SMS_DELAY_KEY = "messages.sms_fallback_minutes"
UNANSWERED_HOURS_KEY = "messages.unanswered_after_working_hours"
HELP_LINES_KEY = "messages.help_lines"
MAX_HELP_LINES = 8
PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ]{1,18}[0-9]$")
# Field name -> AppSetting key, for the settings stored as one number each.
NUMBER_KEYS = {
    "checkin_cadence_days": "checkins.default_cadence_days",
    "followup_first_gap_days": "eftervend.first_gap_days",
    "followup_interval_days": "eftervend.interval_days",
    "followup_length_months": "eftervend.length_months",
    "sms_delay_minutes": SMS_DELAY_KEY,
    "unanswered_after_hours": UNANSWERED_HOURS_KEY,
    "retention_months": "retention.months_after_course_end",
    "inactive_course_months": "retention.inactive_course_months",
    "audit_retention_months": "retention.audit_months",
    "admin_change_retention_months": "retention.admin_change_months",
    "delivery_retention_days": "retention.delivery_days",
    "invites_per_minute": "onboarding.invites_per_minute",
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
    "unanswered_after_hours": N_("A message waits too long after (working hours)"),
    "help_lines": N_("Where to get help now"),
    "retention_months": N_("Delete a young person's data after the course ended (months)"),
    "inactive_course_months": N_("End a course with no activity after (months)"),
    "audit_retention_months": N_("Delete audit records after (months)"),
    "admin_change_retention_months": N_("Delete admin changes after (months)"),
    "delivery_retention_days": N_("Delete sent notifications and sign-in codes after (days)"),
    "invites_per_minute": N_("Invitations sent per minute"),
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
    # One working day: after this, a young person's message is flagged on the guide's
    # lists and shown to the leader (without its text).
    unanswered_after_hours: int = Field(default=8, ge=1, le=40)
    # "Name | number" per line, "| 18" for a line only for those under 18; empty: the
    # Danish defaults in `availability.DEFAULT_HELP_LINES`.
    help_lines: str = Field(default="", max_length=2000)
    retention_months: int = Field(default=60, ge=6, le=120)
    # A course nobody ended is ended after this long without activity, and then deleted
    # like any other ended course.
    inactive_course_months: int = Field(default=12, ge=3, le=60)
    # Datatilsynet: the log of staff use is kept for a set period, typically a few years.
    audit_retention_months: int = Field(default=36, ge=6, le=120)
    admin_change_retention_months: int = Field(default=36, ge=6, le=120)
    # What was sent and the codes to sign in: only needed while it is being delivered.
    delivery_retention_days: int = Field(default=30, ge=7, le=365)
    # Bulk invitations (app/services/onboarding/bulk_invites.py): the outbox sends this
    # many a minute, so the SMS gateway and the guides' phones are not flooded.
    invites_per_minute: int = Field(default=20, ge=1, le=600)

    @field_validator("help_lines", mode="before")
    @classmethod
    def _help_lines_readable(cls, value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, str):
            parse_help_lines(value)  # raises ValueError with a message for people
            return "\n".join(line.strip() for line in value.splitlines() if line.strip())
        return value

    @field_validator("quiet_end_hour")
    @classmethod
    def _quiet_hours_differ(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("quiet_start_hour") == value:
            raise ValueError(N_("The quiet hours must end at another hour than they start."))
        return value


DEFAULTS = MunicipalSettings()


def parse_help_lines(text: str) -> list[dict[str, Any]]:
    """The help lines as `availability.help_lines` reads them, or a ValueError."""
    lines: list[dict[str, Any]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        if len(parts) not in (2, 3) or not parts[0] or len(parts[0]) > 80:
            raise ValueError(N_("Write each line as: name | number (and | 18 for under 18s)."))
        if not PHONE_NUMBER.match(parts[1]):
            raise ValueError(N_("A number may hold only digits, spaces and a leading +."))
        line: dict[str, Any] = {"name": parts[0], "number": parts[1]}
        if len(parts) == 3:
            if not parts[2].isdigit() or not 10 <= int(parts[2]) <= 30:
                raise ValueError(N_("The age limit must be a whole number from 10 to 30."))
            line["under_age"] = int(parts[2])
        lines.append(line)
    if len(lines) > MAX_HELP_LINES:
        raise ValueError(N_("At most 8 lines."))
    return lines


def help_lines_text(stored: str | None) -> str:
    """A stored list of help lines as the form shows it ("" when none is stored)."""
    try:
        items = json.loads(stored) if stored else []
    except ValueError:
        return ""
    if not isinstance(items, list):
        return ""
    rows = []
    for item in items:
        if isinstance(item, dict) and item.get("name") and item.get("number"):
            row = f"{item['name']} | {item['number']}"
            if isinstance(item.get("under_age"), int):
                row += f" | {item['under_age']}"
            rows.append(row)
    return "\n".join(rows)


async def current(db: AsyncSession) -> MunicipalSettings:
    """The settings in force: stored values, the default for any missing or broken one."""
    stored = await stored_values(db)
    values: dict[str, Any] = {}
    for field, key in NUMBER_KEYS.items():
        value = _number(stored.get(key))
        if value is not None:
            values[field] = value
    hours = parse_quiet_hours(stored.get(QUIET_HOURS_KEY))
    values["quiet_start_hour"], values["quiet_end_hour"] = hours.start.hour, hours.end.hour
    values["help_lines"] = help_lines_text(stored.get(HELP_LINES_KEY))
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
        elif field == "help_lines":
            # An empty list means the Danish defaults, in each reader's language.
            await _store(db, HELP_LINES_KEY, json.dumps(parse_help_lines(form.help_lines)))
        await changes.record(
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
    forget(db)


# The municipality's part of the privacy notice and the accessibility statement: who is
# the data controller and how to reach them and their DPO. Trinvis writes the rest.
NOTICE_KEY_PREFIX = "notice."
NOTICE_LABELS = {
    "controller_name": N_("Data controller (the municipality)"),
    "controller_address": N_("The municipality's address"),
    "controller_contact": N_("The municipality's e-mail or phone"),
    "dpo_contact": N_("Data protection officer (DPO): name and e-mail"),
    "accessibility_contact": N_("Where to report an accessibility problem (e-mail)"),
    "accessibility_reviewed_on": N_("Accessibility last reviewed on"),
    "accessibility_deviations": N_("Known deviations the municipality has found"),
}
LABELS.update(NOTICE_LABELS)


class NoticeSettings(BaseModel):
    """The facts only the municipality knows; empty until the admin fills them in."""

    controller_name: str = Field(default="", max_length=200)
    controller_address: str = Field(default="", max_length=300)
    controller_contact: str = Field(default="", max_length=200)
    dpo_contact: str = Field(default="", max_length=200)
    accessibility_contact: str = Field(default="", max_length=200)
    accessibility_reviewed_on: date | None = None
    accessibility_deviations: str = Field(default="", max_length=2000)

    @field_validator(
        "controller_name",
        "controller_address",
        "controller_contact",
        "dpo_contact",
        "accessibility_contact",
        "accessibility_deviations",
        mode="before",
    )
    @classmethod
    def _empty_is_blank(cls, value: object) -> object:
        return "" if value is None else value


async def notice_settings(db: AsyncSession) -> NoticeSettings:
    """The municipality's notice facts; a missing or broken row is blank."""
    stored = await stored_values(db)
    values: dict[str, Any] = {}
    for field in NoticeSettings.model_fields:
        raw = stored.get(NOTICE_KEY_PREFIX + field)
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = None
        if value is not None:
            values[field] = value
    try:
        return NoticeSettings.model_validate(values)
    except ValidationError:
        good = {}
        for field, value in values.items():
            try:
                NoticeSettings.model_validate({field: value})
            except ValidationError:
                continue
            good[field] = value
        return NoticeSettings.model_validate(good)


async def update_notice(
    db: AsyncSession, *, actor: User, form: NoticeSettings, now: datetime
) -> list[str]:
    """Store the changed notice facts, one admin change (old → new) each."""
    if actor.role != Role.admin:
        raise Forbidden()
    old = await notice_settings(db)
    changed = [f for f in NoticeSettings.model_fields if getattr(old, f) != getattr(form, f)]
    stored = form.model_dump(mode="json")
    for field in changed:
        await _store(db, NOTICE_KEY_PREFIX + field, json.dumps(stored[field], ensure_ascii=False))
        await changes.record(
            db,
            actor=actor,
            action="setting.change",
            target=f"setting:{field}",
            target_label=field,
            before={"value": old.model_dump(mode="json")[field]},
            after={"value": stored[field]},
            now=now,
        )
    await db.flush()
    return changed
