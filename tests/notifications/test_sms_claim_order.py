"""A message's first notice and its delayed SMS, both due when the worker comes by: the
first notice goes first, so a young person reached by SMS gets one SMS, not two (on
PostgreSQL `UPDATE ... RETURNING` gives the claimed rows in no set order)."""

from __future__ import annotations

from datetime import timedelta

from app.models import Role
from app.services.messages import conversation
from tests.factories.people import make_user, make_youth
from tests.notifications.conftest import DAYTIME, deliver, with_gatewayapi


async def test_a_young_person_reached_by_sms_gets_one_sms_per_message(
    db, quiet_settings, gatewayapi_peer
):
    settings = with_gatewayapi(quiet_settings, gatewayapi_peer)
    guide = await make_user(db, Role.guide)
    for n in range(3):
        youth = await make_youth(db, guide=guide)
        person = await db.get(type(guide), youth.user_id)
        person.phone = f"+45224400{n:02d}"
        db.add(person)
        await conversation.send(
            db,
            actor=guide,
            youth_id=youth.id,
            body="Hej",
            client_key=f"k-order-{n:012d}",
            now=DAYTIME,
        )
    await db.commit()
    report = await deliver(db, settings, DAYTIME + timedelta(hours=1))
    assert (report.sent, report.cancelled) == (3, 3)
    assert sorted(sms["msisdn"] for sms in gatewayapi_peer.received) == [
        4522440000,
        4522440001,
        4522440002,
    ]
