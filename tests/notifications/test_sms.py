"""SMS through the real local gateway: sent once, retried when it helps, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from app.models import NotificationAttempt
from tests.notifications.conftest import (
    DAYTIME,
    deliver,
    person,
    queue,
    reload,
    with_sms,
)


async def attempts_of(db, row) -> list[NotificationAttempt]:
    result = await db.exec(
        select(NotificationAttempt)
        .where(NotificationAttempt.notification_id == row.id)
        .order_by(col(NotificationAttempt.id))
    )
    return list(result.all())


async def test_new_message_sms_says_only_that_there_is_a_message(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth, params={"message_id": 4711})
    report = await deliver(db, with_sms(quiet_settings, sms_gateway))
    assert report.sent == 1
    [sms] = sms_gateway.received
    assert sms["to"] == youth.phone
    assert sms["idempotency_key"] == f"trinvis-notification-{row.id}"
    assert sms["text"] == "Du har en ny besked i Trinvis. http://127.0.0.1:8000/messages"
    assert "4711" not in sms["text"]
    row = await reload(db, row)
    assert (row.status, row.sent_at, row.lease_until) == ("sent", DAYTIME, None)
    [attempt] = await attempts_of(db, row)
    assert (attempt.channel, attempt.outcome, attempt.number) == ("sms", "sent", 1)


async def test_english_speaker_gets_english(db, quiet_settings, sms_gateway):
    youth = await person(db, locale="en")
    await queue(db, youth, "checkin.due")
    await deliver(db, with_sms(quiet_settings, sms_gateway))
    assert sms_gateway.received[0]["text"].startswith("How are you doing?")


async def test_gateway_refusal_fails_at_once_with_the_reason(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth)
    sms_gateway.fail_next(400)
    report = await deliver(db, with_sms(quiet_settings, sms_gateway))
    assert report.failed == 1
    row = await reload(db, row)
    assert row.status == "failed"
    assert row.last_error == "SMS gateway refused the message (400)"
    assert len(sms_gateway.attempts) == 1  # a 4xx is never retried
    [attempt] = await attempts_of(db, row)
    assert attempt.outcome == "failed"


async def test_server_errors_are_retried_with_the_same_key(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth)
    sms_gateway.fail_next(500, times=2)
    report = await deliver(db, with_sms(quiet_settings, sms_gateway))
    assert report.sent == 1
    keys = {attempt["idempotency_key"] for attempt in sms_gateway.attempts}
    assert [a["status"] for a in sms_gateway.attempts] == [500, 500, 200]
    assert keys == {f"trinvis-notification-{row.id}"}
    assert len(sms_gateway.received) == 1


async def test_a_gateway_that_stays_down_backs_off_then_fails(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth)
    settings = with_sms(quiet_settings, sms_gateway, notification_max_attempts=2)
    sms_gateway.fail_next(503, times=3)
    assert (await deliver(db, settings)).retried == 1
    row = await reload(db, row)
    assert row.status == "pending" and row.last_error == "SMS gateway error 503"
    # First retry after 15-30 s (30 s with jitter): not before, and nothing is sent meanwhile.
    assert DAYTIME + timedelta(seconds=15) <= row.not_before <= DAYTIME + timedelta(seconds=30)
    assert (await deliver(db, settings, DAYTIME + timedelta(seconds=10))).retried == 0
    sms_gateway.fail_next(503, times=3)
    report = await deliver(db, settings, DAYTIME + timedelta(minutes=1))
    assert report.failed == 1
    row = await reload(db, row)
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "SMS gateway error 503")
    assert [a.outcome for a in await attempts_of(db, row)] == ["retry", "failed"]
    assert sms_gateway.received == []


async def test_rate_limit_waits_for_retry_after(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth)
    sms_gateway.fail_next(429, retry_after=600)
    await deliver(db, with_sms(quiet_settings, sms_gateway))
    row = await reload(db, row)
    assert row.status == "pending"
    assert row.not_before >= DAYTIME + timedelta(seconds=600)


async def test_a_hanging_gateway_times_out_and_the_retry_is_dropped_as_duplicate(
    db, quiet_settings, sms_gateway
):
    youth = await person(db)
    row = await queue(db, youth)
    sms_gateway.hang_next(1.2)
    settings = with_sms(quiet_settings, sms_gateway, sms_timeout_seconds=0.4)
    report = await deliver(db, settings)
    assert report.sent == 1
    # The hanging request also goes through in the end; the gateway keeps one by the key.
    assert sms_gateway.wait_until(lambda: len(sms_gateway._attempts) == 2, timeout=5)
    assert len(sms_gateway.received) == 1
    assert sms_gateway.duplicates == 1
    assert (await reload(db, row)).status == "sent"


async def test_a_code_goes_by_sms_even_when_sms_is_turned_off(db, quiet_settings, sms_gateway):
    from app.models import NotificationPreference

    youth = await person(db)
    db.add(NotificationPreference(user_id=youth.id, push=False, sms=False, email=False))
    await db.commit()
    await queue(db, youth, "auth.code", channel="sms", urgent=True, params={"code": "482913"})
    await deliver(db, with_sms(quiet_settings, sms_gateway))
    [sms] = sms_gateway.received
    assert "482913" in sms["text"]


async def test_a_delivered_code_is_no_longer_kept_in_the_outbox(db, quiet_settings, sms_gateway):
    youth = await person(db)
    row = await queue(db, youth, "auth.code", channel="sms", urgent=True, params={"code": "771204"})
    await deliver(db, with_sms(quiet_settings, sms_gateway))
    assert "771204" in sms_gateway.received[0]["text"]
    stored = await reload(db, row)
    assert stored.status == "sent"
    assert "771204" not in stored.params
