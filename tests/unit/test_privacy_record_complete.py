"""The young person's record holds everything about them: every table that refers to a
young person is in the export, or is left out on purpose with a reason, and every row
that points at them reaches the JSON they download."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import or_, select
from sqlmodel import SQLModel

from app.models import (
    AgendaItem,
    Appointment,
    AuditRecord,
    AuthChallenge,
    CalendarFeed,
    CheckInAlert,
    CourseEnd,
    CourseEndOutcome,
    Enrollment,
    EnrollmentKind,
    FlagReason,
    FollowUp,
    GuideAssignment,
    Handover,
    Invite,
    Message,
    MessageEvent,
    MessageEventKind,
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
    Role,
    YouthIdentityLink,
)
from app.security.sessions import start_session
from app.services.privacy import record
from tests.factories.checkins import answer_who5
from tests.factories.people import make_user, make_youth, user_of


def tables_about_a_person() -> dict[str, set[str]]:
    """Table name -> its columns with a foreign key straight to youth or app_user."""
    found: dict[str, set[str]] = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if any(fk.column.table.name in record.PERSON_TABLES for fk in column.foreign_keys):
                found.setdefault(table.name, set()).add(column.name)
    return found


def test_every_table_that_refers_to_a_young_person_is_exported_or_left_out_with_a_reason():
    exported = {section.table.name for section in record.SECTIONS}
    referring = set(tables_about_a_person()) | set(record.PERSON_TABLES)
    forgotten = referring - exported - set(record.EXCLUDED)
    assert not forgotten, (
        f"tables about a person that the export forgets: {sorted(forgotten)}; add a Section "
        "in app/services/privacy/record.py, or an entry in EXCLUDED saying why"
    )
    assert not exported & set(record.EXCLUDED), "a table cannot be both exported and left out"
    assert set(record.EXCLUDED) <= referring, "EXCLUDED names a table that no longer refers"
    assert all(len(reason) > 20 for reason in record.EXCLUDED.values())


def test_a_table_added_later_with_a_youth_reference_is_caught():
    from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

    scratch = MetaData()
    for name in ("youth", "app_user"):
        Table(name, scratch, Column("id", Integer, primary_key=True))
    Table("new_diary", scratch, Column("id", Integer, primary_key=True),
          Column("youth_id", ForeignKey("youth.id")))  # fmt: skip
    exported = {section.table.name for section in record.SECTIONS} | set(record.EXCLUDED)
    new = {
        t.name
        for t in scratch.tables.values()
        if any(fk.column.table.name in record.PERSON_TABLES for fk in t.foreign_keys)
    }
    assert new - exported == {"new_diary"}


def test_every_secret_column_left_out_exists_and_says_why():
    tables = SQLModel.metadata.tables
    for (table, column), reason in record.SECRET_COLUMNS.items():
        assert column in tables[table].columns, (table, column)
        assert reason


async def a_young_person_with_something_in_every_table(db, now):
    """One young person with at least one row in each table the export covers."""
    guide = await make_user(db, Role.guide, name="Camilla Holm")
    youth = await make_youth(db, guide=guide)
    person = await user_of(db, youth)
    y, u, g = youth.id, person.id, guide.id
    step = PlanStep(youth_id=y, title="Ring til VUC", created_by_id=g)
    message = Message(youth_id=y, sender_id=g, body="Hej Sara", client_key="pr-m1")
    note = Note(youth_id=y, author_id=g, body="Delt note", client_key="pr-n1")
    enrollment = Enrollment(
        youth_id=y,
        kind=EnrollmentKind.education,
        place="SOSU Nord",
        starts_on=now.date(),
        created_by_id=g,
        client_key="pr-e1",
    )
    notification = Notification(
        user_id=u, kind="auth.code", params='{"code": "654321"}', dedupe_key="pr-x1", not_before=now
    )
    db.add_all([step, message, note, enrollment, notification])
    await db.flush()
    checkin = await answer_who5(db, actor=person, score=24, now=now)
    alert = (
        await db.exec(select(CheckInAlert).where(CheckInAlert.checkin_id == checkin.id))
    ).first()
    alert[0].acknowledged_by_id, alert[0].note = guide.id, "Ringede, hun har det bedre"
    follow_up = FollowUp(
        enrollment_id=enrollment.id, youth_id=y, sequence=1, due_on=now.date(), due_at=now
    )
    db.add(follow_up)
    await db.flush()
    assignment = GuideAssignment(youth_id=y, guide_id=g, started_at=now, assigned_by_id=g)
    db.add(assignment)
    await db.flush()
    db.add_all(
        [
            YouthIdentityLink(youth_id=y, ref="pr-ref-1"),
            Handover(youth_id=y, to_guide_id=g, by_id=g, assignment_id=assignment.id,
                     client_key="pr-h1", at=now),
            PlanEvent(youth_id=y, step_id=step.id, actor_id=g, action="create"),
            MessageEvent(youth_id=y, kind=MessageEventKind.message, message_id=message.id,
                         actor_id=g, created_at=now),
            NoteReply(note_id=note.id, author_id=u, body="Tak", client_key="pr-r1"),
            Appointment(youth_id=y, guide_id=g, starts_at=now + timedelta(days=2),
                        topic="Samtale", client_key="pr-a1"),
            AgendaItem(youth_id=y, text="Økonomi", client_key="pr-ag1"),
            CalendarFeed(youth_id=y, token_hash="f" * 64, created_at=now),
            RiskFlag(youth_id=y, enrollment_id=enrollment.id, follow_up_id=follow_up.id,
                     reason=FlagReason.answer, raised_at=now, dedupe_key="pr-f1"),
            CourseEnd(youth_id=y, enrollment_id=enrollment.id, ended_on=now.date(),
                      outcome=CourseEndOutcome.education, recorded_by_id=g),
            NotificationAttempt(notification_id=notification.id, number=1, channel="sms",
                                started_at=now),
            NotificationPreference(user_id=u, sms=False),
            PushSubscription(user_id=u, endpoint="https://push.example/s3cr3t",
                             p256dh="k" * 20, auth="a" * 16, created_at=now),
            Passkey(user_id=u, credential_id="cred-1", public_key="pk-1", created_at=now),
            OneTimeCode(user_id=u, purpose="sign_in", channel="sms", code_hash="h" * 64,
                        created_at=now, expires_at=now + timedelta(minutes=10)),
            AuthChallenge(id="pr-ch1", purpose="passkey.register", user_id=u,
                          data="challenge-secret", expires_at=now + timedelta(minutes=5)),
            Invite(user_id=u, created_by_id=g, token_hash="i" * 64, channel="sms",
                   client_key="pr-i1", created_at=now, expires_at=now + timedelta(days=7)),
            RealtimePresence(user_id=u, process_key="proc-1", seen_at=now),
            AuditRecord(at=now, actor_id=g, youth_id=y, action="plan.view", via="caseload"),
        ]
    )  # fmt: skip
    await db.flush()
    await start_session(db, user=person, now=now, device_label="Safari · iPhone")
    return person, youth, guide


async def test_every_row_that_points_at_the_young_person_is_in_their_export(db, frozen_clock):
    person, youth, _guide = await a_young_person_with_something_in_every_table(db, frozen_clock.now)
    referring = tables_about_a_person()
    theirs = {}  # read before the export, which adds its own audit record
    for section in record.SECTIONS:
        table = section.table
        conditions = [
            table.c[c] == (youth.id if _points_at_youth(table.c[c]) else person.id)
            for c in referring.get(table.name, set())
        ]
        if conditions:  # else reached through a parent (answers, delivery tries): below
            theirs[section.key] = (await db.execute(select(table).where(or_(*conditions)))).all()
    document = await record.export(db, actor=person, now=frozen_clock.now)
    for section in record.SECTIONS:
        rows = [document[section.key]] if section.single else document[section.key]
        assert rows, f"the test person has no {section.table.name} row: add one above"
        if section.key not in theirs:
            continue
        assert len(rows) >= len(theirs[section.key]), section.key
        if "id" in section.table.c and "id" in rows[0]:
            assert {r.id for r in theirs[section.key]} <= {r["id"] for r in rows}, section.key
    assert len(document["checkin_answers"]) == 5
    assert len(document["notification_attempts"]) == 1


def _points_at_youth(column) -> bool:
    return any(fk.column.table.name == "youth" for fk in column.foreign_keys)


async def test_the_export_names_staff_and_words_answers_and_keeps_secrets_out(db, frozen_clock):
    person, _youth, _guide = await a_young_person_with_something_in_every_table(
        db, frozen_clock.now
    )
    document = await record.export(db, actor=person, now=frozen_clock.now)
    text = json.dumps(document, ensure_ascii=False)
    assert document["course"]["guide"] == {"name": "Camilla Holm", "role": "guide"}
    assert document["checkin_alerts"][0]["note"] == "Ringede, hun har det bedre"
    assert document["checkin_alerts"][0]["acknowledged_by"]["name"] == "Camilla Holm"
    answer = document["checkin_answers"][0]
    assert answer["question"].startswith("I de sidste 2 uger") and answer["answer"]
    for secret in ("654321", "h" * 64, "f" * 64, "i" * 64, "s3cr3t", "challenge-secret", "pk-1"):
        assert secret not in text
    assert document["sign_in_codes"][0]["purpose"] == "sign_in"
    # Taking the record is itself in the person's own log.
    assert document["who_has_seen_my_data"][-1]["action"] == "plan.view"
    mine = (await db.exec(select(AuditRecord).where(AuditRecord.via == "self"))).all()
    assert [r[0].action for r in mine] == ["privacy.export"]
