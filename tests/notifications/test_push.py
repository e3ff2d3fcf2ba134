"""Web Push against the local push service, which checks VAPID and decrypts the payload."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import PushSubscription
from app.notifications.channels.push import application_server_key, generate_vapid_keys
from app.notifications.channels.push_addresses import is_public
from tests.notifications.conftest import (
    DAYTIME,
    deliver,
    person,
    queue,
    reload,
    subscribe,
    with_sms,
)


@pytest.fixture(scope="module")
def vapid_keys() -> tuple[str, str]:
    return generate_vapid_keys()


@pytest.fixture
def push_settings(quiet_settings, vapid_keys):
    private, _public = vapid_keys
    return quiet_settings.model_copy(
        update={"vapid_private_key": private, "vapid_subject": "mailto:drift@trinvis.test"}
    )


async def test_push_arrives_encrypted_generic_and_signed(
    db, push_settings, push_service, vapid_keys
):
    youth = await person(db)
    subscription = push_service.new_subscription()
    await subscribe(db, youth, subscription)
    row = await queue(db, youth, params={"message_id": 99})
    assert (await deliver(db, push_settings)).sent == 1
    [message] = push_service.received
    assert message["json"] == {
        "title": "Ny besked",
        "body": "Du har en ny besked i Trinvis.",
        "url": "http://127.0.0.1:8000/messages",
        "tag": f"n{row.id}",
    }
    assert len(message["payload"]) < 3 * 1024
    assert (message["ttl"], message["urgency"], message["topic"]) == (86400, "normal", f"n{row.id}")
    assert message["vapid_claims"]["sub"] == "mailto:drift@trinvis.test"
    assert message["vapid_public_key"] == vapid_keys[1] == application_server_key(push_settings)
    sub = (await db.exec(select(PushSubscription))).one()
    assert sub.last_success_at is not None


async def test_urgent_push_asks_for_high_urgency(db, push_settings, push_service):
    youth = await person(db)
    await subscribe(db, youth, push_service.new_subscription())
    await queue(db, youth, "appointment.changed", urgent=True)
    await deliver(db, push_settings)
    assert push_service.received[0]["urgency"] == "high"


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_removed_and_sms_takes_over(
    db, push_settings, push_service, sms_gateway, status
):
    youth = await person(db)
    subscription = push_service.new_subscription()
    await subscribe(db, youth, subscription)
    push_service.respond(subscription, status)
    row = await queue(db, youth)
    settings = with_sms(push_settings, sms_gateway)
    report = await deliver(db, settings)
    assert (await db.exec(select(PushSubscription))).all() == []
    # The retry came at once, through the next channel the person allows.
    assert report.retried == 1 and report.sent == 1
    assert len(sms_gateway.received) == 1
    row = await reload(db, row)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_rate_limited_push_waits_for_retry_after(db, push_settings, push_service):
    youth = await person(db)
    subscription = push_service.new_subscription()
    await subscribe(db, youth, subscription)
    push_service.respond(subscription, 429, retry_after=900, times=1)
    row = await queue(db, youth)
    await deliver(db, push_settings)
    row = await reload(db, row)
    assert row.status == "pending"
    assert row.not_before >= DAYTIME + timedelta(seconds=900)
    assert (await db.exec(select(PushSubscription))).one() is not None
    await deliver(db, push_settings, DAYTIME + timedelta(seconds=901))
    assert (await reload(db, row)).status == "sent"
    assert len(push_service.received) == 1


async def test_push_service_errors_are_retried(db, push_settings, push_service):
    youth = await person(db)
    subscription = push_service.new_subscription()
    await subscribe(db, youth, subscription)
    push_service.respond(subscription, 500, times=1)
    row = await queue(db, youth)
    assert (await deliver(db, push_settings)).retried == 1
    row = await reload(db, row)
    assert row.last_error == "push service answered 500"
    await deliver(db, push_settings, DAYTIME + timedelta(minutes=5))
    assert (await reload(db, row)).status == "sent"


async def test_payload_never_carries_params_other_than_code_or_link(
    db, push_settings, push_service
):
    youth = await person(db)
    await subscribe(db, youth, push_service.new_subscription())
    await queue(db, youth, "followup.prompt", params={"place": "Tech College Aalborg"})
    await deliver(db, push_settings)
    [message] = push_service.received
    assert "Tech College" not in message["text"]
    assert json.loads(message["text"])["title"] == "Hvordan går det?"


async def test_an_endpoint_outside_the_push_services_is_dropped_without_a_connection(
    db, push_settings, push_service
):
    """Saved before the rules (or with the test setting on): the worker sends nothing."""
    youth = await person(db)
    await subscribe(db, youth, push_service.new_subscription())
    row = await queue(db, youth)
    report = await deliver(db, push_settings.model_copy(update={"push_test_hosts": []}))
    assert report.sent == 0
    assert push_service.attempts == [] and push_service.received == []
    row = await reload(db, row)
    assert row.last_error == "the endpoint is not at a known push service"
    assert row.status == "failed"
    assert (await db.exec(select(PushSubscription))).all() == []


async def test_a_push_host_that_resolves_to_loopback_is_never_connected_to(
    db, push_settings, push_service
):
    """The host is allowed, its address is not: refused where the connection is made."""
    youth = await person(db)
    subscription = push_service.new_subscription()
    subscription["endpoint"] = subscription["endpoint"].replace("127.0.0.1", "localhost")
    await subscribe(db, youth, subscription)
    row = await queue(db, youth)
    report = await deliver(db, push_settings.model_copy(update={"push_test_hosts": ["localhost"]}))
    assert report.sent == 0
    assert push_service.attempts == [] and push_service.received == []
    row = await reload(db, row)
    assert (row.status, row.last_error) == ("failed", "the push service's address is not public")
    # The same subscription reaches the peer once its addresses are allowed (so the
    # refusal above came from the address check, not from anything else).
    other = await queue(db, youth, key="second")
    allowed = ["localhost", "127.0.0.1", "::1"]
    await deliver(db, push_settings.model_copy(update={"push_test_hosts": allowed}))
    assert len(push_service.attempts) == 1
    assert (await reload(db, other)).attempts == 1


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("142.250.74.10", True),
        ("2a00:1450:4001:82b::200a", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
    ],
)
def test_only_public_addresses_count_as_public(address, public):
    assert is_public(address) is public


async def test_a_push_host_that_does_not_resolve_is_tried_again_later(
    db, push_settings, push_service
):
    youth = await person(db)
    subscription = push_service.new_subscription()
    subscription["endpoint"] = "http://push.invalid/push/x"
    await subscribe(db, youth, subscription)
    row = await queue(db, youth)
    settings = push_settings.model_copy(update={"push_test_hosts": ["push.invalid"]})
    assert (await deliver(db, settings)).retried == 1
    row = await reload(db, row)
    assert (row.status, row.last_error) == ("pending", "push service unreachable (ConnectError)")
