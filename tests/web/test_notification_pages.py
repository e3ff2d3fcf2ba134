"""The notification pages: own choices and devices, failed list for admins, demo outbox."""

from __future__ import annotations

import base64
import os

import pytest
from sqlmodel import func, select

from app.models import AuditRecord, Notification, NotificationPreference, PushSubscription, Role
from app.notifications.outbox import enqueue
from app.settings import ConfigurationError, Settings
from tests.factories.people import T0, ensure_csrf, make_user, make_youth, sign_in, user_of


def b64(n: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc") -> dict:
    return {"endpoint": endpoint, "keys": {"p256dh": b64(65), "auth": b64(16)}}


async def signed_in(client, db, settings, frozen_clock, role=Role.youth):
    if role == Role.youth:
        user = await user_of(db, await make_youth(db))
    else:
        user = await make_user(db, role)
    await sign_in(client, db, user, settings, frozen_clock.now)
    return user


async def test_young_person_sees_and_saves_their_choices(client, db, settings, frozen_clock):
    youth = await signed_in(client, db, settings, frozen_clock)
    page = await client.get("/me/notifications")
    assert page.status_code == 200
    assert "Sådan når vi dig" in page.text
    assert "mellem 22 og 7" in page.text
    response = await client.post("/me/notifications", data={"push": "on"})
    assert response.status_code == 303
    assert response.headers["location"] == "/me/notifications?saved=1"
    row = await db.get(NotificationPreference, youth.id)
    assert (row.push, row.sms, row.email) == (True, False, False)
    again = await client.get("/me/notifications?saved=1")
    assert "Gemt." in again.text


async def test_a_strange_value_is_refused_next_to_the_field(client, db, settings, frozen_clock):
    youth = await signed_in(client, db, settings, frozen_clock)
    response = await client.post("/me/notifications", data={"sms": "maybe", "email": "on"})
    assert response.status_code == 422
    assert 'id="pref-sms-error"' in response.text
    assert "Vælg til eller fra." in response.text
    assert await db.get(NotificationPreference, youth.id) is None
    # What was typed is kept: e-mail stays ticked.
    assert 'id="pref-email" name="email" value="on" checked' in response.text
    assert 'id="pref-sms" name="sms" value="on" aria-describedby="pref-sms-error"' in response.text


async def test_push_subscription_is_stored_once_per_device(client, db, settings, frozen_clock):
    guide = await signed_in(client, db, settings, frozen_clock, Role.guide)
    body = subscription()
    for _ in range(2):  # a retried request
        response = await client.post(
            "/me/notifications/push-subscription", json=body, headers={"Accept": "application/json"}
        )
        assert response.status_code == 201
    rows = (await db.exec(select(PushSubscription))).all()
    assert [(r.user_id, r.endpoint) for r in rows] == [(guide.id, body["endpoint"])]
    removed = await client.post(
        "/me/notifications/push-subscription/delete", json={"endpoint": body["endpoint"]}
    )
    assert removed.json() == {"removed": True}
    assert (await db.exec(select(func.count()).select_from(PushSubscription))).one() == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"endpoint": "javascript:alert(1)", "keys": {"p256dh": b64(65), "auth": b64(16)}},
        {
            "endpoint": "https://fcm.googleapis.com/fcm/send/x",
            "keys": {"p256dh": "short", "auth": b64(16)},
        },
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x"},
        "not an object",
    ],
)
async def test_a_broken_subscription_is_refused(client, db, settings, frozen_clock, bad):
    await signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/me/notifications/push-subscription", json=bad, headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    assert (await db.exec(select(func.count()).select_from(PushSubscription))).one() == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1.example.invalid/",
        "https://127.0.0.1.example.invalid/",
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://fcm.googleapis.com:8443/fcm/send/abc",
        "https://fcm.googleapis.com.example.invalid/fcm/send/abc",
        "https://someone@fcm.googleapis.com/fcm/send/abc",
        "https://notify.windows.com/w/abc",
        "http://127.0.0.1:9/push/abc",  # the test peer's host, but not in production
    ],
)
async def test_a_subscription_outside_the_browsers_push_services_is_refused(
    app, client, db, settings, frozen_clock, endpoint
):
    if endpoint.startswith("http://127.0.0.1:"):
        app.state.settings = settings.model_copy(update={"push_test_hosts": []})
    await signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/me/notifications/push-subscription",
        json=subscription(endpoint),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "endpoint": "Trinvis sender kun notifikationer gennem de almindelige browseres "
        "push-tjenester, og denne adresse er ikke en af dem."
    }
    assert (await db.exec(select(func.count()).select_from(PushSubscription))).one() == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:APA91b",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://wns2-am3p.notify.windows.com/w/?token=BQYAAA",
        "https://web.push.apple.com/QGuQyavXutnMH",
    ],
)
async def test_the_browsers_push_services_are_accepted(
    client, db, settings, frozen_clock, endpoint
):
    await signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/me/notifications/push-subscription",
        json=subscription(endpoint),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201


def test_production_refuses_the_test_push_hosts(settings):
    with pytest.raises(ConfigurationError, match="TRINVIS_PUSH_TEST_HOSTS"):
        Settings(
            env="production",
            demo_mode=False,
            secret_key="x" * 40,
            public_base_url="https://trinvis.example.dk",
            oidc_issuer="https://idp.example.dk",
            oidc_client_id="trinvis",
            oidc_client_secret="secret",
            push_test_hosts=["127.0.0.1"],
        )


async def test_nobody_removes_another_persons_device(client, db, settings, frozen_clock):
    other = await make_user(db, Role.youth)
    body = subscription("https://fcm.googleapis.com/fcm/send/other")
    db.add(
        PushSubscription(
            user_id=other.id, endpoint=body["endpoint"], p256dh="x", auth="y", created_at=T0
        )
    )
    await db.flush()
    await signed_in(client, db, settings, frozen_clock)
    response = await client.post(
        "/me/notifications/push-subscription/delete", json={"endpoint": body["endpoint"]}
    )
    assert response.json() == {"removed": False}
    assert (await db.exec(select(PushSubscription))).one().user_id == other.id


async def failed_notification(db):
    person = await make_user(db, Role.youth, name="Sofie Nielsen")
    row = await enqueue(db, user_id=person.id, kind="message.new", dedupe_key="f:1", now=T0)
    row.status, row.last_error, row.attempts = "failed", "SMS gateway refused the message (400)", 6
    db.add(row)
    await db.commit()  # a refused request rolls back what the test had not committed
    return row


async def test_admin_sees_failed_notifications_and_sends_one_again(
    client, db, settings, frozen_clock
):
    row = await failed_notification(db)
    admin = await signed_in(client, db, settings, frozen_clock, Role.admin)
    page = await client.get("/admin/notifications")
    assert page.status_code == 200
    # In people's words (issue 19 #14): what it was, to whom, and why.
    assert "SMS-tjenesten afviste beskeden. Tjek telefonnummeret og SMS-indstillingerne." in (
        page.text
    )
    assert ">Ny besked</td>" in page.text
    assert "Sofie Nielsen (ung)" in page.text
    assert "message.new" not in page.text and "Person nr." not in page.text
    # The technical reason stays at hand for IT staff.
    assert "<code>SMS gateway refused the message (400)</code>" in page.text
    response = await client.post(f"/admin/notifications/{row.id}/retry")
    assert response.status_code == 303
    fresh = await db.get(Notification, row.id, populate_existing=True)
    assert (fresh.status, fresh.attempts, fresh.not_before) == ("pending", 0, frozen_clock.now)
    audit = (await db.exec(select(AuditRecord).where(AuditRecord.actor_id == admin.id))).one()
    assert audit.action == "notification.retry"
    # A second click finds nothing to retry: it says so and changes nothing.
    again = await client.post(f"/admin/notifications/{row.id}/retry")
    assert again.status_code == 409


@pytest.mark.parametrize("role", [Role.youth, Role.guide, Role.leader])
async def test_only_admins_reach_the_failed_list(client, db, settings, frozen_clock, role):
    row_id = (await failed_notification(db)).id
    await signed_in(client, db, settings, frozen_clock, role)
    await db.commit()
    assert (await client.get("/admin/notifications")).status_code == 403
    assert (await client.post(f"/admin/notifications/{row_id}/retry")).status_code == 403
    assert (await db.get(Notification, row_id, populate_existing=True)).status == "failed"


async def test_retrying_an_unknown_id_is_not_found(client, db, settings, frozen_clock):
    await signed_in(client, db, settings, frozen_clock, Role.admin)
    assert (await client.post("/admin/notifications/999999/retry")).status_code == 404


async def test_demo_outbox_shows_what_would_have_been_sent(client, db, settings, frozen_clock):
    guide = await make_user(db, Role.guide)
    person = await user_of(db, await make_youth(db, guide=guide))
    await enqueue(
        db, user_id=person.id, kind="checkin.due", dedupe_key="d:1", now=T0, params={"x": 1}
    )
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get("/demo/outbox")
    assert page.status_code == 200
    assert "Et kort tjek-ind er klar til dig i Trinvis." in page.text
    # The recipient by name and role in words, not "Person nr. 6 (youth)" (issue 19 #14).
    assert f"{person.name} (ung)" in page.text and "(youth)" not in page.text


async def queue_code(db, person, code: str) -> None:
    params = {"code": code, "purpose": "sign_in", "minutes": 10}
    await enqueue(
        db, user_id=person.id, kind="auth.code", dedupe_key=f"c:{code}", now=T0, params=params
    )


async def test_a_guide_sees_only_their_own_young_peoples_codes_in_the_demo_outbox(
    client, db, settings, frozen_clock
):
    guide, other_guide = await make_user(db, Role.guide), await make_user(db, Role.guide)
    mine = await user_of(db, await make_youth(db, guide=guide))
    theirs = await user_of(db, await make_youth(db, guide=other_guide))
    await queue_code(db, mine, "135791")
    await queue_code(db, theirs, "246802")
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get("/demo/outbox")
    assert page.status_code == 200
    assert "135791" in page.text
    assert "246802" not in page.text


@pytest.mark.parametrize("role", [Role.youth, Role.leader, Role.admin])
async def test_everyone_else_sees_only_what_went_to_them(client, db, settings, frozen_clock, role):
    guide = await make_user(db, Role.guide)
    someone = await user_of(db, await make_youth(db, guide=guide))
    await queue_code(db, someone, "975310")
    me = await signed_in(client, db, settings, frozen_clock, role)
    await enqueue(db, user_id=me.id, kind="checkin.due", dedupe_key="mine", now=T0)
    page = await client.get("/demo/outbox")
    assert page.status_code == 200
    assert "Et kort tjek-ind er klar til dig i Trinvis." in page.text
    assert "975310" not in page.text


async def test_anonymous_visitors_sign_in_first_and_the_demo_sign_in_still_works(
    client, db, settings
):
    response = await client.get("/demo/outbox", headers={"Accept": "text/html"})
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/login?next=/demo/outbox",
    )
    guide = await make_user(db, Role.guide)  # after the refusal, which rolled back
    login = await client.get("/login")
    assert 'action="/demo/sign-in"' in login.text
    await ensure_csrf(client)
    signed = await client.post("/demo/sign-in", data={"user_id": str(guide.id)})
    assert signed.status_code == 303
    assert (await client.get("/demo/outbox")).status_code == 200


async def test_demo_outbox_is_only_in_the_demo(app, client, db, settings, frozen_clock):
    app.state.settings = settings.model_copy(update={"demo_mode": False})
    await signed_in(client, db, settings, frozen_clock, Role.guide)
    assert (await client.get("/demo/outbox")).status_code == 404
