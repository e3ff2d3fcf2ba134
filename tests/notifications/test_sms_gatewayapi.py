"""SMS through GatewayAPI (a local peer speaking its REST API): sent with our
reference as `userref`, errors mapped to retry or give up, and signed delivery status
webhooks that mark the notification delivered or not."""

from __future__ import annotations

from datetime import timedelta

from app.notifications.delivery import idempotency_key
from tests.notifications.conftest import (
    DAYTIME,
    deliver,
    person,
    queue,
    reload,
    with_gatewayapi,
)


async def test_an_sms_goes_to_gatewayapi_with_our_reference(db, quiet_settings, gatewayapi_peer):
    youth = await person(db)
    row = await queue(db, youth, params={"message_id": 4711})
    report = await deliver(db, with_gatewayapi(quiet_settings, gatewayapi_peer))
    assert report.sent == 1
    [sms] = gatewayapi_peer.received
    assert sms["msisdn"] == int(youth.phone.lstrip("+"))
    assert sms["userref"] == idempotency_key(row.id)
    assert sms["sender"] == "Trinvis"
    assert sms["message"] == "Du har en ny besked i Trinvis. http://127.0.0.1:8000/messages"
    row = await reload(db, row)
    assert (row.status, row.receipt) == ("sent", None)


async def test_a_delivered_receipt_marks_it_delivered_once(
    app, client, db, quiet_settings, gatewayapi_peer
):
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    app.state.settings = settings
    youth = await person(db)
    row = await queue(db, youth)
    await deliver(db, settings)
    [sms] = gatewayapi_peer.received
    answer = await client.send(gatewayapi_peer.receipt(sms, "DELIVERED"))
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "changed": True}
    row = await reload(db, row)
    assert (row.status, row.receipt, row.receipt_detail) == ("sent", "delivered", "DELIVERED")
    # GatewayAPI repeats a webhook it is unsure of: nothing changes twice.
    again = await client.send(gatewayapi_peer.receipt(sms, "DELIVERED"))
    assert again.json() == {"ok": True, "changed": False}


async def test_an_undeliverable_sms_becomes_failed_with_the_reason(
    app, client, db, quiet_settings, gatewayapi_peer
):
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    app.state.settings = settings
    youth = await person(db)
    row = await queue(db, youth)
    await deliver(db, settings)
    # On the way: not final, nothing changes.
    [sms] = gatewayapi_peer.received
    assert (await client.send(gatewayapi_peer.receipt(sms, "ENROUTE"))).json()["changed"] is False
    await client.send(gatewayapi_peer.receipt(sms, "UNDELIVERABLE"))
    row = await reload(db, row)
    assert (row.status, row.receipt) == ("failed", "undelivered")
    assert row.last_error == "SMS not delivered (UNDELIVERABLE)"


async def test_a_webhook_with_a_wrong_signature_is_refused(
    app, client, db, quiet_settings, gatewayapi_peer
):
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    app.state.settings = settings
    row = await queue(db, await person(db))
    await deliver(db, settings)
    [sms] = gatewayapi_peer.received
    forged = gatewayapi_peer.receipt(sms, "DELIVERED", secret="not-the-secret-at-all-000")
    assert (await client.send(forged)).status_code == 401
    unsigned = gatewayapi_peer.receipt(sms)
    del unsigned.headers["X-Gwapi-Signature"]
    assert (await client.send(unsigned)).status_code == 401
    assert (await reload(db, row)).receipt is None


async def test_a_wrong_api_token_gives_up_at_once(db, quiet_settings, gatewayapi_peer):
    row = await queue(db, await person(db))
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer, sms_gateway_token="wrong")
    assert (await deliver(db, settings)).failed == 1
    row = await reload(db, row)
    assert row.status == "failed"
    assert row.last_error == "GatewayAPI refused the message (401) 0x0213"
    assert [a["status"] for a in gatewayapi_peer.attempts] == [401]


async def test_invalid_arguments_give_up_at_once(db, quiet_settings, gatewayapi_peer):
    row = await queue(db, await person(db))
    gatewayapi_peer.fail_next(400)
    assert (await deliver(db, with_gatewayapi(quiet_settings, gatewayapi_peer))).failed == 1
    assert (await reload(db, row)).last_error == "GatewayAPI refused the message (400) 0x0000"


async def test_a_number_gatewayapi_cannot_read_gives_up(db, quiet_settings, gatewayapi_peer):
    youth = await person(db, phone="+45 20 00 00 0x")
    row = await queue(db, youth)
    assert (await deliver(db, with_gatewayapi(quiet_settings, gatewayapi_peer))).failed == 1
    assert (await reload(db, row)).last_error == "GatewayAPI: the phone number is not a number"
    assert gatewayapi_peer.attempts == []


async def test_server_errors_and_timeouts_are_tried_again_later(
    db, quiet_settings, gatewayapi_peer
):
    row = await queue(db, await person(db))
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer, sms_timeout_seconds=0.3)
    gatewayapi_peer.fail_next(503)
    assert (await deliver(db, settings)).retried == 1
    row = await reload(db, row)
    assert (row.status, row.last_error) == ("pending", "GatewayAPI error 503 0x0000")
    gatewayapi_peer.hang_next(1.0)
    assert (await deliver(db, settings, DAYTIME + timedelta(minutes=1))).retried == 1
    assert (await reload(db, row)).last_error == "GatewayAPI timed out"
    assert (await deliver(db, settings, DAYTIME + timedelta(minutes=5))).sent == 1
    # The hanging request went through in the end too: both carry the same reference.
    assert {sms["userref"] for sms in gatewayapi_peer.received} == {idempotency_key(row.id)}


async def test_rate_limit_waits_for_retry_after(db, quiet_settings, gatewayapi_peer):
    row = await queue(db, await person(db))
    gatewayapi_peer.fail_next(429, retry_after=600)
    assert (await deliver(db, with_gatewayapi(quiet_settings, gatewayapi_peer))).retried == 1
    row = await reload(db, row)
    assert row.status == "pending"
    assert row.not_before >= DAYTIME + timedelta(seconds=600)
