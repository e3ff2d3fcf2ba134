"""SMS through CPSMS (a local peer speaking its REST API v2): Basic auth, our reference
and a receipt address with a secret; errors mapped to retry or give up; delivery
reports (GET with query parameters) that mark the notification delivered or not."""

from __future__ import annotations

from datetime import timedelta

from app.notifications.delivery import idempotency_key
from tests.notifications.conftest import (
    CPSMS_RECEIPT_SECRET,
    DAYTIME,
    deliver,
    person,
    queue,
    reload,
    with_cpsms,
)


async def test_an_sms_goes_to_cpsms_with_our_reference_and_receipt_address(
    db, quiet_settings, cpsms_peer
):
    youth = await person(db, locale="en")
    row = await queue(db, youth, "checkin.due")
    assert (await deliver(db, with_cpsms(quiet_settings, cpsms_peer))).sent == 1
    [sms] = cpsms_peer.received
    assert sms["to"] == youth.phone.lstrip("+")
    assert sms["message"].startswith("How are you doing?")
    assert (sms["from"], sms["reference"]) == ("Trinvis", idempotency_key(row.id))
    assert sms["dlr_url"] == f"http://127.0.0.1:8000/webhooks/sms/cpsms/{CPSMS_RECEIPT_SECRET}"
    row = await reload(db, row)
    assert row.status == "sent"


async def test_delivery_reports_mark_it_delivered_or_failed(
    app, client, db, quiet_settings, cpsms_peer
):
    settings = with_cpsms(quiet_settings, cpsms_peer)
    app.state.settings = settings
    first = await queue(db, await person(db))
    second = await queue(db, await person(db))
    await deliver(db, settings)
    by_reference = {sms["reference"]: sms for sms in cpsms_peer.received}
    delivered = by_reference[idempotency_key(first.id)]
    answer = await client.send(cpsms_peer.receipt(delivered, 1))
    assert answer.status_code == 200 and answer.json()["changed"] is True
    assert (await client.send(cpsms_peer.receipt(delivered, 1))).json()["changed"] is False
    await client.send(cpsms_peer.receipt(by_reference[idempotency_key(second.id)], 2))
    first, second = await reload(db, first), await reload(db, second)
    assert (first.status, first.receipt) == ("sent", "delivered")
    assert (second.status, second.receipt, second.last_error) == (
        "failed",
        "undelivered",
        "SMS not delivered (2)",
    )


async def test_a_report_without_the_secret_is_refused(app, client, db, quiet_settings, cpsms_peer):
    settings = with_cpsms(quiet_settings, cpsms_peer)
    app.state.settings = settings
    row = await queue(db, await person(db))
    await deliver(db, settings)
    [sms] = cpsms_peer.received
    guessed = "http://127.0.0.1:8000/webhooks/sms/cpsms/guessed-secret"
    assert (await client.send(cpsms_peer.receipt(sms, 1, url=guessed))).status_code == 401
    assert (await reload(db, row)).receipt is None


async def test_wrong_credentials_give_up_at_once(db, quiet_settings, cpsms_peer):
    row = await queue(db, await person(db))
    settings = with_cpsms(quiet_settings, cpsms_peer, sms_gateway_token="wrong-key")
    assert (await deliver(db, settings)).failed == 1
    assert (await reload(db, row)).last_error == "CPSMS refused the message (401) (code 401)"
    assert cpsms_peer.received == []


async def test_a_number_cpsms_cannot_use_gives_up_without_a_call(db, quiet_settings, cpsms_peer):
    youth = await person(db, phone="+45 12")  # too short to be a number anywhere
    row = await queue(db, youth)
    assert (await deliver(db, with_cpsms(quiet_settings, cpsms_peer))).failed == 1
    assert (await reload(db, row)).last_error == "CPSMS: the phone number is not a number"
    assert cpsms_peer.attempts == []


async def test_an_error_in_a_200_answer_gives_up(db, quiet_settings, cpsms_peer):
    row = await queue(db, await person(db))
    cpsms_peer.error_in_200_next(400, "Phone number should be specified as a number")
    assert (await deliver(db, with_cpsms(quiet_settings, cpsms_peer))).failed == 1
    assert (await reload(db, row)).last_error == "CPSMS refused the message (code 400)"
    assert cpsms_peer.received == []


async def test_server_errors_are_tried_again_and_rate_limits_wait(db, quiet_settings, cpsms_peer):
    row = await queue(db, await person(db))
    settings = with_cpsms(quiet_settings, cpsms_peer)
    cpsms_peer.fail_next(502)
    assert (await deliver(db, settings)).retried == 1
    assert (await reload(db, row)).last_error == "CPSMS error 502 (code 502)"
    cpsms_peer.fail_next(429, retry_after=900)
    assert (await deliver(db, settings, DAYTIME + timedelta(minutes=2))).retried == 1
    row = await reload(db, row)
    assert row.not_before >= DAYTIME + timedelta(minutes=2, seconds=900)
    assert (await deliver(db, settings, DAYTIME + timedelta(minutes=20))).sent == 1
    assert len(cpsms_peer.received) == 1
