"""The record for people: the page the young person reads and prints (GDPR art. 15).

The same rows as the JSON (`record.py`), with column names in words, staff by name and
role, dates in the reader's language, and check-in answers as question and answer.
Link ids, client keys and other bookkeeping are left to the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.i18n import N_, gettext
from app.services.checkins.instruments import parse
from app.services.privacy.record import SECTIONS, Record, Section, people_columns, person_key
from app.services.privacy.seen import what

# Bookkeeping: in the JSON, not on the page.
HIDDEN = {
    "id",
    "youth_id",
    "user_id",
    "client_key",
    "dedupe_key",
    "batch_key",
    "version",
    "lease_until",
    "position",
    "note_id",
    "checkin_id",
    "enrollment_id",
    "follow_up_id",
    "step_id",
    "message_id",
    "appointment_id",
    "assignment_id",
    "notification_id",
    "instrument_id",
    "team_id",
    "idle_timeout_seconds",
    "sign_count",
    "process_key",
    "worker",
    "params",
    "detail",
    "last_error",
    "oidc_sub",
    "instrument_code",  # the instrument's name is shown instead
}
# Hidden in one section only: a follow-up's day is the day of its time, shown already.
HIDDEN_IN = {"follow_ups": {"due_on"}}
# Shown inside each check-in instead of as a list of their own.
FOLDED = {"checkin_answers"}

LABELS = {
    "name": N_("Name"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "locale": N_("Language"),
    "role": N_("Role"),
    "is_active": N_("Active"),
    "created_at": N_("Created"),
    "updated_at": N_("Changed"),
    "birth_date": N_("Birth date"),
    "readiness_group": N_("Group"),
    "status": N_("Status"),
    "destination": N_("Goal"),
    "guide": N_("Guide"),
    "course_started_on": N_("Course started"),
    "checkin_cadence_days": N_("Check-in every (days)"),
    "consent_at": N_("Consent given"),
    "ref": N_("Reference"),
    "started_at": N_("From"),
    "ended_at": N_("Ended"),
    "assigned_by": N_("Assigned by"),
    "handover_note": N_("Handover note"),
    "from_guide": N_("From guide"),
    "to_guide": N_("To guide"),
    "by": N_("By"),
    "at": N_("When"),
    "title": N_("Title"),
    "description": N_("Description"),
    "due_on": N_("Due"),
    "done_at": N_("Done"),
    "deleted_at": N_("Deleted"),
    "created_by": N_("Created by"),
    "actor": N_("Who"),
    "action": N_("What"),
    "sender": N_("From"),
    "kind": N_("Kind"),
    "body": N_("Text"),
    "sent_at": N_("Sent"),
    "read_at": N_("Read"),
    "author": N_("Written by"),
    "shared": N_("Shared with you"),
    "starts_at": N_("Starts"),
    "duration_minutes": N_("Minutes"),
    "place_kind": N_("How"),
    "place": N_("Place"),
    "topic": N_("Topic"),
    "youth_response": N_("Your answer"),
    "move_request": N_("Your wish to move it"),
    "text": N_("Text"),
    "discussed_at": N_("Talked about"),
    "removed_at": N_("Removed"),
    "revoked_at": N_("Stopped"),
    "instrument_code": N_("Check-in"),
    "raw_score": N_("Points"),
    "score": N_("Score"),
    "taken_at": N_("Answered"),
    "together": N_("Filled in with your guide"),
    "recorded_by": N_("Written down by"),
    "acknowledged_at": N_("Seen by your guide"),
    "acknowledged_by": N_("Seen by"),
    "note": N_("Note"),
    "starts_on": N_("Start date"),
    "expected_end_on": N_("Expected end"),
    "first_gap_days": N_("First follow-up after (days)"),
    "interval_days": N_("Then a follow-up every (days)"),
    "length_months": N_("Follow-up for (months)"),
    "risk_state": N_("How it is going"),
    "end_reason": N_("Why it ended"),
    "sequence": N_("Number"),
    "due_at": N_("Due"),
    "cancelled_at": N_("Cancelled"),
    "prompted_at": N_("Asked"),
    "answer": N_("Your answer"),
    "answer_text": N_("What you wrote"),
    "answered_at": N_("Answered"),
    "call_outcome": N_("Call"),
    "handled_at": N_("Handled"),
    "handled_by": N_("Handled by"),
    "reason": N_("Why"),
    "raised_at": N_("Raised"),
    "ended_on": N_("End date"),
    "outcome": N_("Outcome"),
    "channel": N_("Channel"),
    "urgent": N_("Urgent"),
    "not_before": N_("Not before"),
    "attempts": N_("Tries"),
    "number": N_("Try"),
    "finished_at": N_("Finished"),
    "push": N_("Push"),
    "sms": N_("SMS"),
    "label": N_("Name"),
    "last_used_at": N_("Last used"),
    "last_success_at": N_("Last delivered"),
    "last_seen_at": N_("Last used"),
    "absolute_expires_at": N_("Expires"),
    "expires_at": N_("Expires"),
    "device_label": N_("Device"),
    "purpose": N_("Purpose"),
    "new_field": N_("Changing"),
    "new_value": N_("New value"),
    "used_at": N_("Used"),
    "seen_at": N_("Last seen"),
    "via": N_("How"),
}


# Stored words (enum values) in words for people.
VALUES = {
    "youth": N_("young person"),
    "guide": N_("guide"),
    "leader": N_("leader"),
    "admin": N_("administrator"),
    "obviously_ready": N_("Obviously ready for education"),
    "education_ready": N_("Ready for education"),
    "activity_ready": N_("Ready for activity"),
    "in_course": N_("In a course with your guide"),
    "started": N_("Started education or a job"),
    "ended": N_("Ended"),
    "todo": N_("To do"),
    "doing": N_("Doing"),
    "done": N_("Done"),
    "planned": N_("Planned"),
    "cancelled": N_("Cancelled"),
    "confirmed": N_("Confirmed"),
    "move_requested": N_("Asked to move it"),
    "education": N_("Education"),
    "job": N_("Job"),
    "other": N_("Other"),
    "good": N_("Good"),
    "okay": N_("Okay"),
    "hard": N_("Hard"),
    "considering_stopping": N_("Thinking about stopping"),
    "thriving": N_("Thriving"),
    "challenged": N_("Challenged"),
    "at_risk": N_("At risk of dropping out"),
    "dropped_out": N_("Dropped out"),
    "completed": N_("Completed"),
    "reached": N_("Reached"),
    "not_reached": N_("Not reached"),
    "left_message": N_("Left a message"),
    "sent": N_("Sent"),
    "pending": N_("Waiting"),
    "failed": N_("Failed"),
    "cover": N_("as cover"),
    "caseload": N_("as your guide"),
    "self": N_("You"),
    "none": N_("No answer yet"),
    "place": N_("At a place"),
    "phone": N_("By phone"),
    "video": N_("By video"),
    "da": "Dansk",
    "en": "English",
}


# The columns that hold one of the stored words above (never free text).
CODED = {
    "role",
    "readiness_group",
    "status",
    "youth_response",
    "kind",
    "risk_state",
    "end_reason",
    "answer",
    "call_outcome",
    "outcome",
    "via",
    "place_kind",
    "locale",
}


@dataclass(frozen=True)
class Entry:
    """One row: (label, value, kind) with kind "datetime", "date" or "text"."""

    fields: list[tuple[str, Any, str]]


@dataclass(frozen=True)
class ReadableSection:
    key: str
    title: str
    entries: list[Entry]


def _value(column: str, value: Any) -> tuple[Any, str]:
    """The value and how the page shows it (dates in the reader's language there)."""
    if isinstance(value, bool):
        return (gettext("Yes") if value else gettext("No")), "text"
    if isinstance(value, datetime):
        return value, "datetime"
    if isinstance(value, date):
        return value, "date"
    text = str(value)
    if column in CODED and text in VALUES:
        return (gettext(VALUES[text]) if text not in ("da", "en") else VALUES[text]), "text"
    return text, "text"


def _fields(section: Section, row: dict[str, Any], record: Record) -> list[tuple[str, Any, str]]:
    people = set(people_columns(section.table))
    fields: list[tuple[str, Any, str]] = []
    for column, value in row.items():
        if column in HIDDEN or column in HIDDEN_IN.get(section.key, ()):
            continue
        if value is None or value == "":
            continue
        if column in people:
            who = record.people.get(value)
            if who is None:
                continue
            text = gettext("You") if who.id == record.person.user_id else _named(who)
            fields.append((gettext(LABELS.get(person_key(column), column)), text, "text"))
            continue
        label = gettext(LABELS[column]) if column in LABELS else column
        if section.key == "who_has_seen_my_data" and column == "action":
            fields.append((label, gettext(what(value)), "text"))
            continue
        fields.append((label, *_value(column, value)))
    return fields


def _named(who: Any) -> str:
    return f"{who.name} ({gettext(VALUES.get(str(who.role), str(who.role)))})"


def _answers(record: Record, checkin: dict[str, Any]) -> list[tuple[str, Any, str]]:
    instrument = record.instruments.get(checkin["instrument_id"])
    if instrument is None:
        return []
    definition = parse(instrument.definition)
    steps = {s.value: str(s.label) for s in definition.scale}
    answers = {
        a["item_key"]: a["value"]
        for a in record.sections["checkin_answers"]
        if a["checkin_id"] == checkin["id"]
    }
    which = LABELS["instrument_code"]
    return [(gettext(which), str(definition.name), "text")] + [
        (
            f"{definition.intro} {item.text}",
            steps.get(answers[item.key], str(answers[item.key])),
            "text",
        )
        for item in definition.items
        if item.key in answers
    ]


def readable(record: Record) -> list[ReadableSection]:
    """Each section with its rows in words; empty sections are left out."""
    out = []
    for section in SECTIONS:
        if section.key in FOLDED or not record.sections[section.key]:
            continue
        entries = []
        for row in record.sections[section.key]:
            fields = _fields(section, row, record)
            if section.key == "checkins":
                # The instrument's name first, its answers after the check-in's own fields.
                answers = _answers(record, row)
                fields = answers[:1] + fields + answers[1:]
            entries.append(Entry(fields=fields))
        out.append(ReadableSection(key=section.key, title=gettext(section.title), entries=entries))
    return out
