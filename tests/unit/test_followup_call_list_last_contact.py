"""The call list's "last contact": the latest message either way or a meeting that took
place; a future or cancelled appointment is no contact."""

from datetime import UTC, date, datetime, timedelta

from app.models import Appointment, AppointmentStatus, Message
from app.services.followups.call_list import call_list
from tests.factories.followups import start
from tests.factories.people import make_user, make_youth

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


async def test_last_contact_is_the_latest_message_or_meeting_that_took_place(db):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await start(db, guide=guide, youth=youth, starts_on=date(2026, 3, 2), now=NOW)
    message_at = NOW - timedelta(days=9)
    meeting_at = NOW - timedelta(days=4)
    db.add(
        Message(
            youth_id=youth.id, sender_id=guide.id, body="Hej", client_key="lc-1", sent_at=message_at
        )
    )
    for n, (starts_at, status) in enumerate(
        [
            (meeting_at, AppointmentStatus.planned),
            (NOW - timedelta(days=1), AppointmentStatus.cancelled),
            (NOW + timedelta(days=2), AppointmentStatus.planned),
        ]
    ):
        db.add(
            Appointment(
                youth_id=youth.id,
                guide_id=guide.id,
                starts_at=starts_at,
                topic="Samtale",
                status=status,
                client_key=f"lc-a{n}",
            )
        )
    await db.flush()
    [row] = [r for r in (await call_list(db, actor=guide, now=NOW)).rows if r.youth.id == youth.id]
    assert row.last_contact == meeting_at
