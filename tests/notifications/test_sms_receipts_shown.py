"""What the guide and the admin see of an SMS receipt: "Leveret" / "Ikke leveret"."""

from __future__ import annotations

from datetime import timedelta

from app.models import Role, User
from app.services.messages import conversation
from tests.factories.people import make_user, make_youth, sign_in
from tests.notifications.conftest import DAYTIME, deliver, person, queue, with_gatewayapi

KEY = "k-0123456789abcdef"


async def test_the_guide_sees_that_the_sms_about_her_message_was_delivered(
    app, client, db, settings, quiet_settings, frozen_clock, gatewayapi_peer
):
    sms_settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    app.state.settings = sms_settings
    guide = await make_user(db, Role.guide, name="Camilla Holm")
    youth = await make_youth(db, guide=guide, name="Sara Nielsen")
    youth_user = await db.get(User, youth.user_id)
    youth_user.phone = "+4522334488"
    db.add(youth_user)
    await conversation.send(
        db, actor=guide, youth_id=youth.id, body="Ses vi i morgen?", client_key=KEY, now=DAYTIME
    )
    await db.commit()
    await deliver(db, sms_settings, DAYTIME + timedelta(hours=1))
    # The first notice goes by SMS here (no push, no e-mail); the delayed SMS is then
    # no longer needed.
    [sms] = gatewayapi_peer.received
    assert sms["msisdn"] == 4522334488 and "Ses vi" not in sms["message"]

    frozen_clock.now = DAYTIME + timedelta(hours=1)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    before = await client.get(f"/guide/youth/{youth.id}/messages")
    assert "SMS: Leveret" not in before.text
    await client.send(gatewayapi_peer.receipt(sms, "DELIVERED"))
    after = await client.get(f"/guide/youth/{youth.id}/messages")
    assert "Sendt · SMS: Leveret" in after.text


async def test_the_admin_sees_an_undelivered_sms_among_the_failed(
    app, client, db, settings, quiet_settings, frozen_clock, gatewayapi_peer
):
    sms_settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    app.state.settings = sms_settings
    row = await queue(db, await person(db), "checkin.due")
    await deliver(db, sms_settings)
    [sms] = gatewayapi_peer.received
    await client.send(gatewayapi_peer.receipt(sms, "EXPIRED"))
    admin = await make_user(db, Role.admin)
    await sign_in(client, db, admin, settings, frozen_clock.now)
    page = await client.get("/admin/notifications")
    assert page.status_code == 200
    assert "Ikke leveret" in page.text and "EXPIRED" in page.text
    # Sent again: a new SMS waits for its own receipt.
    await client.post(f"/admin/notifications/{row.id}/retry")
    await db.refresh(row)
    assert (row.status, row.receipt) == ("pending", None)
