"""The young person's whole record (GDPR art. 15): everything about them in every table.

Each table that refers to a young person (a foreign key to `youth` or to `app_user`) is
either a `Section` here, or in `EXCLUDED` with the reason; `tests/unit/
test_privacy_record_complete.py` walks the model metadata and fails on a table that is
neither, so a new table cannot be forgotten. Secret columns (code hashes, key material)
are left out, each with its reason in `SECRET_COLUMNS`. Staff appear by name and role
beside their id; check-in answers carry the question and the answer in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import NotFound
from app.i18n import N_
from app.models import (
    AgendaItem,
    Appointment,
    AuditRecord,
    AuthChallenge,
    CalendarFeed,
    CheckIn,
    CheckInAlert,
    CheckInAnswer,
    CourseEnd,
    Enrollment,
    FollowUp,
    GuideAssignment,
    Handover,
    Instrument,
    Invite,
    Message,
    MessageEvent,
    Note,
    NoteReply,
    Notification,
    NotificationAttempt,
    NotificationPreference,
    OneTimeCode,
    Passkey,
    PlanEvent,
    PlanStep,
    PushSubscription,
    RealtimePresence,
    RiskFlag,
    User,
    UserSession,
    Youth,
    YouthIdentityLink,
)
from app.security.audit import record as write_audit
from app.services.checkins.instruments import parse

FORMAT = "trinvis-export-2"
PERSON_TABLES = ("youth", "app_user")
# Sign-in codes and invite links are secrets: the export names them, never shows them.
SECRET_NOTIFICATION_KINDS = ("auth.code", "auth.invite")

# Tables that refer to app_user but never hold a young person's data (reviewed).
EXCLUDED: dict[str, str] = {
    "admin_change": "the admins' change log: its actor is always an admin, never a young "
    "person, and admins reach no young person's content",
    "cover": "which guide covers for which colleague: about staff only",
    "guide_working_hours": "a guide's working hours: about staff only",
    "reply_snippet": "a guide's own reply templates: about staff only",
    "youth_import": "an admin's uploaded file while it is previewed (at most a day); it "
    "refers to the admin who uploaded it, and applied imports keep no names or numbers",
    "scim_resource": "what the municipality's IdP wrote about a staff account over SCIM: "
    "about staff only (young people are never provisioned)",
}

# Columns left out of every export, with the reason (reviewed).
SECRET_COLUMNS: dict[tuple[str, str], str] = {
    ("user_session", "id"): "derived from the sign-in cookie: whoever has it can look up "
    "the session",
    ("one_time_code", "code_hash"): "the hash of a sign-in code: a secret",
    ("invite", "token_hash"): "the hash of the invite link: a secret",
    ("calendar_feed", "token_hash"): "the hash of the private calendar address: a secret",
    ("passkey", "public_key"): "key material of the passkey: no meaning to a person",
    ("passkey", "credential_id"): "key material of the passkey: no meaning to a person",
    ("auth_challenge", "data"): "a passkey challenge: a secret for a few minutes",
    ("push_subscription", "endpoint"): "the push service address of the phone: a secret",
    ("push_subscription", "p256dh"): "the phone's push encryption key: a secret",
    ("push_subscription", "auth"): "the phone's push encryption key: a secret",
}


@dataclass(frozen=True)
class Person:
    user: User
    youth: Youth

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    @property
    def youth_id(self) -> int:
        assert self.youth.id is not None
        return self.youth.id


@dataclass(frozen=True)
class Section:
    """One table's part of the record: its key, title and which rows are the person's."""

    key: str
    title: str
    model: type[SQLModel]
    rows: Callable[[Person], SelectOfScalar[Any]]
    single: bool = False  # one row: an object in the JSON, not a list

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined, no-any-return]


def _of_youth(model: Any, *order: Any) -> Callable[[Person], SelectOfScalar[Any]]:
    return lambda p: select(model).where(model.youth_id == p.youth_id).order_by(*order, model.id)


def _of_user(model: Any, *order: Any) -> Callable[[Person], SelectOfScalar[Any]]:
    return lambda p: select(model).where(model.user_id == p.user_id).order_by(*order)


def _note_replies(p: Person) -> SelectOfScalar[Any]:
    mine = select(Note.id).where(Note.youth_id == p.youth_id)
    return (
        select(NoteReply)
        .where(or_(col(NoteReply.note_id).in_(mine), col(NoteReply.author_id) == p.user_id))
        .order_by(col(NoteReply.created_at), col(NoteReply.id))
    )


def _checkin_answers(p: Person) -> SelectOfScalar[Any]:
    mine = select(CheckIn.id).where(CheckIn.youth_id == p.youth_id)
    return (
        select(CheckInAnswer)
        .where(col(CheckInAnswer.checkin_id).in_(mine))
        .order_by(col(CheckInAnswer.checkin_id), col(CheckInAnswer.id))
    )


def _attempts(p: Person) -> SelectOfScalar[Any]:
    mine = select(Notification.id).where(Notification.user_id == p.user_id)
    return (
        select(NotificationAttempt)
        .where(col(NotificationAttempt.notification_id).in_(mine))
        .order_by(col(NotificationAttempt.id))
    )


SECTIONS: list[Section] = [
    Section("profile", N_("You"), User, lambda p: select(User).where(User.id == p.user_id), True),
    Section(
        "course",
        N_("Your course"),
        Youth,
        lambda p: select(Youth).where(Youth.id == p.youth_id),
        True,
    ),
    Section(
        "identity_references",
        N_("Reference to the case system"),
        YouthIdentityLink,
        _of_youth(YouthIdentityLink),
    ),
    Section(
        "guide_assignments",
        N_("Your guides"),
        GuideAssignment,
        _of_youth(GuideAssignment, col(GuideAssignment.started_at)),
    ),
    Section("handovers", N_("Changes of guide"), Handover, _of_youth(Handover, col(Handover.at))),
    Section("plan_steps", N_("Your plan"), PlanStep, _of_youth(PlanStep, col(PlanStep.position))),
    Section(
        "plan_history",
        N_("Changes to your plan"),
        PlanEvent,
        _of_youth(PlanEvent, col(PlanEvent.at)),
    ),
    Section("messages", N_("Messages"), Message, _of_youth(Message, col(Message.sent_at))),
    Section(
        "message_events",
        N_("When messages were sent and read"),
        MessageEvent,
        _of_youth(MessageEvent, col(MessageEvent.created_at)),
    ),
    Section("notes", N_("Notes"), Note, _of_youth(Note, col(Note.created_at))),
    Section("note_replies", N_("Replies to notes"), NoteReply, _note_replies),
    Section(
        "appointments",
        N_("Appointments"),
        Appointment,
        _of_youth(Appointment, col(Appointment.starts_at)),
    ),
    Section(
        "agenda",
        N_("What you want to talk about"),
        AgendaItem,
        _of_youth(AgendaItem, col(AgendaItem.created_at)),
    ),
    Section("calendar_feeds", N_("Calendar links"), CalendarFeed, _of_youth(CalendarFeed)),
    Section("checkins", N_("Check-ins"), CheckIn, _of_youth(CheckIn, col(CheckIn.taken_at))),
    Section("checkin_answers", N_("Your answers in check-ins"), CheckInAnswer, _checkin_answers),
    Section(
        "checkin_alerts",
        N_("Check-ins your guide was asked to look at"),
        CheckInAlert,
        _of_youth(CheckInAlert, col(CheckInAlert.created_at)),
    ),
    Section(
        "starts",
        N_("Education and jobs"),
        Enrollment,
        _of_youth(Enrollment, col(Enrollment.starts_on)),
    ),
    Section(
        "follow_ups",
        N_("Follow-ups after your start"),
        FollowUp,
        _of_youth(FollowUp, col(FollowUp.due_at)),
    ),
    Section(
        "risk_flags",
        N_("When your guide was asked to call you"),
        RiskFlag,
        _of_youth(RiskFlag, col(RiskFlag.raised_at)),
    ),
    Section(
        "course_ends",
        N_("End of your course"),
        CourseEnd,
        _of_youth(CourseEnd, col(CourseEnd.ended_on)),
    ),
    Section(
        "notifications",
        N_("Notifications to you"),
        Notification,
        _of_user(Notification, col(Notification.id)),
    ),
    Section(
        "notification_attempts",
        N_("Tries to deliver notifications"),
        NotificationAttempt,
        _attempts,
    ),
    Section(
        "notification_preferences",
        N_("How you get notifications"),
        NotificationPreference,
        _of_user(NotificationPreference),
    ),
    Section(
        "push_subscriptions",
        N_("Phones that get push notifications"),
        PushSubscription,
        _of_user(PushSubscription, col(PushSubscription.id)),
    ),
    Section(
        "devices",
        N_("Where you have signed in"),
        UserSession,
        _of_user(UserSession, col(UserSession.created_at)),
    ),
    Section("passkeys", N_("Passkeys"), Passkey, _of_user(Passkey, col(Passkey.id))),
    Section(
        "sign_in_codes",
        N_("Codes sent to you"),
        OneTimeCode,
        _of_user(OneTimeCode, col(OneTimeCode.id)),
    ),
    Section(
        "sign_in_challenges",
        N_("Passkey sign-ins started"),
        AuthChallenge,
        _of_user(AuthChallenge, col(AuthChallenge.expires_at)),
    ),
    Section("invites", N_("Invites"), Invite, _of_user(Invite, col(Invite.id))),
    Section(
        "live_connections",
        N_("Open live connections"),
        RealtimePresence,
        _of_user(RealtimePresence, col(RealtimePresence.id)),
    ),
    Section(
        "who_has_seen_my_data",
        N_("Who has seen my data"),
        AuditRecord,
        _of_youth(AuditRecord, col(AuditRecord.at)),
    ),
]


def people_columns(table: Table) -> list[str]:
    """The columns of `table` that name a person (a foreign key to app_user)."""
    return [
        c.name
        for c in table.columns
        if any(fk.column.table.name == "app_user" for fk in c.foreign_keys)
    ]


def person_key(column: str) -> str:
    """`guide_id` -> `guide`: where the export puts the person's name and role."""
    return column.removesuffix("_id")


async def own_person(db: AsyncSession, *, actor: User) -> Person:
    youth = (await db.exec(select(Youth).where(Youth.user_id == actor.id))).first()
    if youth is None:
        raise NotFound()
    return Person(user=actor, youth=youth)


@dataclass
class Record:
    """The rows of every section, and the people and instruments they mention."""

    person: Person
    sections: dict[str, list[dict[str, Any]]]
    people: dict[int, User]
    instruments: dict[int, Instrument]


async def collect(db: AsyncSession, *, actor: User) -> Record:
    """Every row about this young person, as plain values (secret columns left out)."""
    person = await own_person(db, actor=actor)
    sections: dict[str, list[dict[str, Any]]] = {}
    people_ids: set[int] = set()
    for section in SECTIONS:
        rows = (await db.exec(section.rows(person))).all()
        table = section.table
        names = [c.name for c in table.columns if (table.name, c.name) not in SECRET_COLUMNS]
        sections[section.key] = [{name: getattr(row, name) for name in names} for row in rows]
        for column in people_columns(table):
            people_ids.update(r[column] for r in sections[section.key] if r.get(column))
    people = {
        u.id: u
        for u in (await db.exec(select(User).where(col(User.id).in_(people_ids)))).all()
        if u.id
    }
    used = {c["instrument_id"] for c in sections["checkins"]}
    instruments = {
        i.id: i
        for i in (await db.exec(select(Instrument).where(col(Instrument.id).in_(used)))).all()
        if i.id
    }
    for note in sections["notifications"]:
        if note["kind"] in SECRET_NOTIFICATION_KINDS:
            note["params"] = None
    return Record(person=person, sections=sections, people=people, instruments=instruments)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _with_people(section: Section, row: dict[str, Any], record: Record) -> dict[str, Any]:
    out = {key: _plain(value) for key, value in row.items()}
    for column in people_columns(section.table):
        who = record.people.get(row.get(column) or 0)
        out[person_key(column)] = {"name": who.name, "role": str(who.role)} if who else None
    return out


def _answer_words(row: dict[str, Any], record: Record, checkins: dict[int, Any]) -> dict[str, Any]:
    checkin = checkins.get(row["checkin_id"])
    instrument = record.instruments.get(checkin["instrument_id"]) if checkin else None
    if instrument is None:
        return {}
    definition = parse(instrument.definition)
    item = next((i for i in definition.items if i.key == row["item_key"]), None)
    step = next((s for s in definition.scale if s.value == row["value"]), None)
    return {
        "instrument": str(definition.name),
        "question": f"{definition.intro} {item.text}" if item else None,
        "answer": str(step.label) if step else None,
    }


def to_json(record: Record, *, now: datetime) -> dict[str, Any]:
    """The record as one JSON document: rows as stored, staff by name, answers in words."""
    document: dict[str, Any] = {"format": FORMAT, "exported_at": now.isoformat()}
    checkins = {c["id"]: c for c in record.sections["checkins"]}
    for section in SECTIONS:
        rows = [_with_people(section, row, record) for row in record.sections[section.key]]
        if section.key == "checkin_answers":
            rows = [{**r, **_answer_words(r, record, checkins)} for r in rows]
        if section.key == "notifications":
            rows = [{**r, "params": json.loads(r["params"]) if r["params"] else None} for r in rows]
        document[section.key] = rows[0] if section.single else rows
    return document


async def take(db: AsyncSession, *, actor: User, action: str, now: datetime) -> Record:
    """The record, for the person to read or download; written to their own audit log
    ("Du hentede alle dine data"), as every other opening of their data is."""
    record = await collect(db, actor=actor)
    await write_audit(
        db, actor=actor, youth_id=record.person.youth_id, action=action, via="self", now=now
    )
    return record


async def export(db: AsyncSession, *, actor: User, now: datetime) -> dict[str, Any]:
    """The JSON export (the download is audited)."""
    return to_json(await take(db, actor=actor, action="privacy.export", now=now), now=now)
