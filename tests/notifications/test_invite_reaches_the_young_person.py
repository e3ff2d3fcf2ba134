"""An invite is proven by what reaches the young person: the text the real SMS gateway
and SMTP server received, with a link in it, and that link signing them in.

(An invite once passed every test while its text went out without the link: the tests
read the queued row, not what was sent.)
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.models import Role
from app.security.sessions import cookie_name
from tests.factories.people import make_user, sign_in
from tests.notifications.conftest import deliver, with_sms
from tests.notifications.test_email import with_smtp

FORM = {
    "name": "Nadia Holm",
    "birth_date": "2007-04-02",
    "readiness_group": "activity_ready",
    "phone": "",
    "email": "",
    "youth_ref": "",
    "client_key": "invite-key-0001-reach",
}
LINK = re.compile(r"https?://[^\s]+/invite/[A-Za-z0-9_-]+")


async def _invite(client, db, settings, frozen_clock, **address: str) -> None:
    guide = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.post("/guide/invite", data={**FORM, **address})
    assert response.status_code == 303
    await db.commit()


async def _follow(client, settings, link: str) -> None:
    """Open the link as the young person on their own phone, and accept."""
    client.cookies.delete(cookie_name(settings))
    path = urlsplit(link).path
    page = await client.get(path)
    assert page.status_code == 200 and "Hej Nadia" in page.text
    assert (await client.post(path)).status_code == 303
    home = await client.get("/")
    assert home.status_code == 200 and "Nadia" in home.text


async def test_an_sms_invite_carries_a_link_that_signs_the_young_person_in(
    client, db, settings, frozen_clock, sms_gateway
):
    await _invite(client, db, settings, frozen_clock, phone="20 11 22 44")
    outgoing = with_sms(settings.model_copy(update={"demo_mode": False}), sms_gateway)
    assert (await deliver(db, outgoing, at=frozen_clock.now)).sent == 1
    [sms] = sms_gateway.received
    assert sms["to"] == "+4520112244"
    found = LINK.search(sms["text"])
    assert found, sms["text"]
    assert sms["text"].startswith("Du er inviteret til Trinvis")
    await _follow(client, settings, found.group(0))


async def test_an_e_mail_invite_carries_a_link_that_signs_the_young_person_in(
    client, db, settings, frozen_clock, smtp_server
):
    await _invite(client, db, settings, frozen_clock, email="nadia@example.dk")
    outgoing = with_smtp(settings.model_copy(update={"demo_mode": False}), smtp_server)
    assert (await deliver(db, outgoing, at=frozen_clock.now)).sent == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["nadia@example.dk"]
    body = mail.message.get_body(("plain",)).get_content()
    found = LINK.search(body)
    assert found, body
    await _follow(client, settings, found.group(0))
