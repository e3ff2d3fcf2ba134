"""Invite in bulk after an import: each link reaches the young person through the real
SMS gateway and SMTP server at the sending rate and outside the quiet hours, following
it signs them in, and a retried bulk invite invites no one twice."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlmodel import col, func, select

from app.models import AdminChange, Invite, Notification, Role, User
from app.security.sessions import start_session
from app.services.admin import municipal_settings
from app.services.onboarding import youth_import
from tests.conftest import BASE_URL
from tests.factories.onboarding import excel_csv, youth_rows
from tests.factories.people import ensure_csrf, make_team, make_user, sign_in
from tests.notifications.conftest import DAYTIME, deliver, with_sms
from tests.notifications.test_email import with_smtp

LINK = re.compile(r"https?://[^\s]+/invite/[A-Za-z0-9_-]+")
# 22:30 in Copenhagen on a winter evening: inside the default quiet hours (22-07).
LATE_EVENING = datetime.fromisoformat("2026-03-02T21:30:00+00:00")


async def imported(db, admin: User, guide_email: str, *, count: int, start: int = 0) -> None:
    """Young people brought in by the admin's import; the third has an e-mail only."""
    rows = youth_rows(count, guide_email=guide_email, start=start)
    if count >= 3:
        rows[2][1], rows[2][2] = "", f"kun.mail{start}@example.dk"
    batch = await youth_import.preview(db, actor=admin, content=excel_csv(rows), now=DAYTIME)
    assert batch.id is not None
    await youth_import.confirm(
        db, actor=admin, import_id=batch.id, file_sha256=batch.file_sha256, now=DAYTIME
    )
    assert (
        youth_import.counts(await youth_import.get_import(db, actor=admin, import_id=batch.id))[
            "new"
        ]
        == count
    )
    await db.commit()


async def set_rate(db, admin: User, per_minute: int) -> None:
    form = (await municipal_settings.current(db)).model_copy(
        update={"invites_per_minute": per_minute}
    )
    await municipal_settings.update(db, actor=admin, form=form, now=DAYTIME)
    await db.commit()


async def _follow(app, link: str, first_name: str) -> None:
    """Open the link as the young person on their own phone, and accept."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as phone:
        path = urlsplit(link).path
        page = await phone.get(path)
        assert page.status_code == 200 and f"Hej {first_name}" in page.text
        await ensure_csrf(phone)
        assert (await phone.post(path)).status_code == 303
        home = await phone.get("/")
        assert home.status_code == 200 and first_name in home.text


async def test_bulk_invites_reach_sms_and_email_at_the_rate_and_sign_the_young_people_in(
    app, client, db, settings, frozen_clock, sms_gateway, smtp_server
):
    frozen_clock.now = DAYTIME
    guide = await make_user(db, Role.guide, email="rikke@kommune.dk", name="Rikke Vejleder")
    admin = await make_user(db, Role.admin)
    await imported(db, admin, "rikke@kommune.dk", count=3)
    await set_rate(db, admin, per_minute=2)
    await sign_in(client, db, admin, settings, frozen_clock.now)

    page = await client.get("/admin/invites")
    assert "Ikke inviteret endnu, eller linket er udløbet: 3." in page.text
    response = await client.post("/admin/invites")
    assert response.status_code == 303
    assert "Inviteret nu: 3." in (await client.get(response.headers["location"])).text
    retried = await client.post("/admin/invites")
    assert "Inviteret nu: 0." in (await client.get(retried.headers["location"])).text
    await db.commit()
    invites = (await db.exec(select(Invite).order_by(col(Invite.user_id)))).all()
    assert len(invites) == 3 and {i.created_by_id for i in invites} == {admin.id}
    queued = (await db.exec(select(Notification).where(Notification.kind == "auth.invite"))).all()
    assert sorted(n.not_before for n in queued) == [
        DAYTIME,
        DAYTIME,
        DAYTIME + timedelta(minutes=1),
    ]

    outgoing = with_smtp(
        with_sms(settings.model_copy(update={"demo_mode": False}), sms_gateway), smtp_server
    )
    assert (await deliver(db, outgoing, at=DAYTIME)).sent == 2  # two a minute
    assert (await deliver(db, outgoing, at=DAYTIME + timedelta(seconds=59))).sent == 0
    assert (await deliver(db, outgoing, at=DAYTIME + timedelta(minutes=1))).sent == 1
    texts = sms_gateway.received
    assert [sms["to"] for sms in texts] == ["+4541000000", "+4541000001"]
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["kun.mail0@example.dk"]
    body = mail.message.get_body(("plain",)).get_content()

    await _follow(app, LINK.search(texts[0]["text"]).group(0), "Søren")
    await _follow(app, LINK.search(body).group(0), "Jens")

    listed = (await client.get("/admin/invites")).text
    assert listed.count("Taget imod</span>") == 2 and "Åse Møller 1" in listed
    logged = (
        await db.exec(select(AdminChange).where(AdminChange.action == "youth.bulk_invite"))
    ).all()
    assert [json.loads(c.after) for c in logged] == [{"invited": 3}, {"invited": 0}]
    assert guide.id is not None

    # A week later the one link nobody used has run out: that young person gets a new one.
    frozen_clock.now = DAYTIME + timedelta(days=8)
    await sign_in(client, db, admin, settings, frozen_clock.now)
    again = await client.post("/admin/invites")
    assert "Inviteret nu: 1." in (await client.get(again.headers["location"])).text
    assert (await db.exec(select(func.count()).select_from(Invite))).one() == 4


async def test_bulk_invites_wait_for_the_end_of_the_quiet_hours(
    client, db, settings, frozen_clock, sms_gateway
):
    frozen_clock.now = LATE_EVENING
    await make_user(db, Role.guide, email="rikke@kommune.dk")
    admin = await make_user(db, Role.admin)
    await imported(db, admin, "rikke@kommune.dk", count=2)
    await sign_in(client, db, admin, settings, frozen_clock.now)
    assert (await client.post("/admin/invites")).status_code == 303
    await db.commit()
    outgoing = with_sms(settings.model_copy(update={"demo_mode": False}), sms_gateway)
    assert (await deliver(db, outgoing, at=LATE_EVENING + timedelta(hours=1))).sent == 0
    seven_in_the_morning = datetime.fromisoformat("2026-03-03T06:00:00+00:00")
    assert (await deliver(db, outgoing, at=seven_in_the_morning)).sent == 2
    assert len(sms_gateway.received) == 2


async def test_a_leader_invites_their_teams_young_people_and_sees_numbers_only(
    client, db, settings, frozen_clock
):
    frozen_clock.now = DAYTIME
    team, other_team = await make_team(db), await make_team(db)
    await make_user(db, Role.guide, email="egen@kommune.dk", team_id=team.id)
    await make_user(db, Role.guide, email="anden@kommune.dk", team_id=other_team.id)
    admin = await make_user(db, Role.admin)
    await imported(db, admin, "egen@kommune.dk", count=2)
    await imported(db, admin, "anden@kommune.dk", count=2, start=10)
    leader = await make_user(db, Role.leader, team_id=team.id)
    await sign_in(client, db, leader, settings, frozen_clock.now)

    response = await client.post("/leader/invites")
    page = (await client.get(response.headers["location"])).text
    assert "Inviteret nu: 2." in page
    assert "Søren Æbelø" not in page and "Åse Møller" not in page  # counts, never names
    invited = await db.exec(select(func.count()).select_from(Invite))
    assert invited.one() == 2
    assert (await client.post("/admin/invites")).status_code == 403


async def test_a_young_person_already_signed_in_gets_no_invitation(
    client, db, settings, frozen_clock
):
    frozen_clock.now = DAYTIME
    await make_user(db, Role.guide, email="rikke@kommune.dk")
    admin = await make_user(db, Role.admin)
    await imported(db, admin, "rikke@kommune.dk", count=2, start=20)
    signed_in = (await db.exec(select(User).where(User.phone == "+4541000020"))).one()
    await start_session(db, user=signed_in, now=DAYTIME)  # got in with a code meanwhile
    await sign_in(client, db, admin, settings, frozen_clock.now)
    response = await client.post("/admin/invites")
    assert "Inviteret nu: 1." in (await client.get(response.headers["location"])).text
    invited = (await db.exec(select(Invite.user_id))).all()
    assert signed_in.id not in invited
