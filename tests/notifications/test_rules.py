"""Who gets what, and when: preferences, quiet hours, the SMS fallback, demo mode, texts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from app.i18n import LOCALES
from app.models import AppSetting, Message, NotificationAttempt, NotificationPreference, Role
from app.notifications.rules import QUIET_HOURS_KEY, QuietHours, quiet_hours
from app.notifications.texts import KINDS, TEXT_PARAMS, render_text
from tests.factories.people import make_youth, user_of
from tests.notifications.conftest import DAYTIME, deliver, person, queue, reload, with_sms

pytestmark = pytest.mark.time_dependent

# 23:30 in Copenhagen (winter time, UTC+1).
LATE_EVENING = datetime.fromisoformat("2026-03-02T22:30:00+00:00")
NEXT_MORNING = datetime.fromisoformat("2026-03-03T06:00:00+00:00")  # 07:00 in Copenhagen


async def test_young_people_are_not_woken_at_night(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth, "checkin.due", now=LATE_EVENING)
    report = await deliver(db, with_sms(quiet_settings, sms_gateway), LATE_EVENING)
    assert report.held == 1 and sms_gateway.received == []
    row = await reload(db, row)
    assert (row.status, row.not_before, row.attempts) == ("pending", NEXT_MORNING, 0)
    await deliver(db, with_sms(quiet_settings, sms_gateway), NEXT_MORNING)
    assert len(sms_gateway.received) == 1


async def test_staff_urgent_and_codes_are_not_held(db, quiet_settings, sms_gateway):
    guide = await person(db, Role.guide)
    youth = await person(db)
    await queue(db, guide, "message.new", now=LATE_EVENING)
    await queue(db, youth, "appointment.changed", now=LATE_EVENING, urgent=True)
    await queue(db, youth, "auth.code", now=LATE_EVENING, channel="sms", params={"code": "1"})
    report = await deliver(db, with_sms(quiet_settings, sms_gateway), LATE_EVENING)
    assert report.sent == 3


async def test_quiet_hours_come_from_the_municipality_setting(db):
    assert await quiet_hours(db) == QuietHours(
        *[datetime.strptime(t, "%H:%M").time() for t in ("22:00", "07:00")]
    )
    db.add(AppSetting(key=QUIET_HOURS_KEY, value=json.dumps({"start": "21:00", "end": "08:30"})))
    await db.flush()
    hours = await quiet_hours(db)
    # 21:30 local on a summer day (UTC+2) is quiet until 08:30 local the next morning.
    summer_evening = datetime.fromisoformat("2026-06-10T19:30:00+00:00")
    assert hours.until(summer_evening) == datetime.fromisoformat("2026-06-11T06:30:00+00:00")
    assert hours.until(datetime.fromisoformat("2026-06-10T10:00:00+00:00")) is None


async def test_preferences_pick_the_channel(db, quiet_settings, sms_gateway, smtp_server):
    youth = await person(db)
    db.add(NotificationPreference(user_id=youth.id, push=True, sms=False, email=True))
    await db.commit()
    row = await queue(db, youth)
    settings = with_sms(quiet_settings, sms_gateway).model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_starttls": False,
        }
    )
    await deliver(db, settings)
    assert sms_gateway.received == [] and len(smtp_server.received) == 1
    attempt = (await db.exec(select(NotificationAttempt))).one()
    assert (attempt.notification_id, attempt.channel) == (row.id, "email")


async def test_everything_turned_off_cancels_instead_of_failing(db, quiet_settings, sms_gateway):
    youth = await person(db)
    db.add(NotificationPreference(user_id=youth.id, push=False, sms=False, email=False))
    await db.commit()
    row = await queue(db, youth)
    assert (await deliver(db, with_sms(quiet_settings, sms_gateway))).cancelled == 1
    assert (await reload(db, row)).status == "cancelled"
    assert sms_gateway.received == []


async def test_nobody_configured_fails_with_a_reason(db, quiet_settings):
    youth = await person(db)
    row = await queue(db, youth)
    assert (await deliver(db, quiet_settings)).failed == 1
    assert (await reload(db, row)).last_error == "no way to reach the person (push, sms, email)"


async def test_demo_mode_without_channels_sends_to_the_demo_outbox(db, settings):
    youth = await person(db)
    row = await queue(db, youth)
    assert (await deliver(db, settings)).sent == 1
    assert (await reload(db, row)).status == "sent"
    attempt = (await db.exec(select(NotificationAttempt))).one()
    assert attempt.channel == "demo"


async def message_for(db, youth_user_id: int | None = None, read: bool = False) -> tuple:
    youth = await make_youth(db)
    message = Message(
        youth_id=youth.id,
        body="Hej, kan vi flytte mødet?",
        client_key=f"k-{youth.id}",
        sent_at=DAYTIME,
        read_at=DAYTIME + timedelta(minutes=3) if read else None,
    )
    db.add(message)
    await db.commit()
    return await user_of(db, youth), message


@pytest.mark.parametrize("read", [True, False])
async def test_the_sms_fallback_is_cancelled_once_the_message_is_read(
    db, quiet_settings, sms_gateway, read
):
    person_, message = await message_for(db, read=read)
    later = DAYTIME + timedelta(minutes=15)
    row = await queue(
        db,
        person_,
        key=f"m{message.id}-sms",
        channel="sms",
        not_before=later,
        params={"message_id": message.id},
    )
    await deliver(db, with_sms(quiet_settings, sms_gateway), later)
    assert (await reload(db, row)).status == ("cancelled" if read else "sent")
    assert len(sms_gateway.received) == (0 if read else 1)
    assert all("mødet" not in sms["text"] for sms in sms_gateway.received)


async def test_no_second_sms_when_the_first_notice_already_went_by_sms(
    db, quiet_settings, sms_gateway
):
    person_, message = await message_for(db)
    settings = with_sms(quiet_settings, sms_gateway)
    await queue(db, person_, key=f"m{message.id}", params={"message_id": message.id})
    fallback = await queue(
        db,
        person_,
        key=f"m{message.id}-sms",
        channel="sms",
        not_before=DAYTIME + timedelta(minutes=15),
        params={"message_id": message.id},
    )
    await deliver(db, settings)
    await deliver(db, settings, DAYTIME + timedelta(minutes=15))
    assert len(sms_gateway.received) == 1
    assert (await reload(db, fallback)).status == "cancelled"


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("locale", LOCALES)
def test_texts_hold_no_params_but_a_code_or_link(kind, locale):
    secret = {
        "message_id": "SECRET-1",
        "place": "SECRET-2",
        "score": "SECRET-3",
        "note": "SECRET-4",
        "code": "123456",
        "link": "https://t.test/i/x",
    }
    text = render_text(kind, secret, locale=locale, base_url="https://trinvis.test")
    everything = f"{text.title} {text.body} {text.url} {text.as_sms()}"
    assert "SECRET" not in everything
    for name in TEXT_PARAMS:
        if f"%({name})s" in KINDS[kind].body:
            assert secret[name] in text.body
    assert len(text.as_sms()) <= 160


def test_a_missing_code_never_leaves_a_hole():
    text = render_text("auth.code", {}, locale="da", base_url="https://t.test")
    assert "%(" not in text.body
