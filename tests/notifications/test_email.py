"""E-mail against the local SMTP server: plain, and STARTTLS with login."""

from __future__ import annotations

from datetime import timedelta

from app.models import NotificationPreference, Role
from tests.notifications.conftest import DAYTIME, deliver, person, queue, reload
from tests.peers.fixtures import SMTP_CREDENTIALS


def with_smtp(settings, server, **extra):
    return settings.model_copy(
        update={
            "smtp_host": server.host,
            "smtp_port": server.port,
            "smtp_starttls": False,
            "smtp_from": "Trinvis <no-reply@kommune.test>",
            **extra,
        }
    )


def with_tls_smtp(settings, server, password=SMTP_CREDENTIALS[1]):
    return with_smtp(
        settings,
        server,
        smtp_starttls=True,
        smtp_ca_file=str(server.cert_path),
        smtp_username=SMTP_CREDENTIALS[0],
        smtp_password=password,
    )


async def email_only(db, role=Role.guide):
    user = await person(db, role, phone=None)
    db.add(NotificationPreference(user_id=user.id, push=False, sms=False, email=True))
    await db.commit()
    return user


async def test_staff_get_a_kind_short_email(db, quiet_settings, smtp_server):
    guide = await email_only(db)
    row = await queue(db, guide)
    assert (await deliver(db, with_smtp(quiet_settings, smtp_server))).sent == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [guide.email]
    assert mail.message["Subject"] == "Ny besked"
    assert mail.message["Message-ID"] == f"<trinvis-notification-{row.id}@kommune.test>"
    body = mail.message.get_body(("plain",)).get_content()
    assert (
        body.replace("\r\n", "\n").strip()
        == "Du har en ny besked i Trinvis.\n\nhttp://127.0.0.1:8000/messages"
    )
    assert mail.tls is False


async def test_starttls_with_login(db, quiet_settings, smtp_server_tls):
    guide = await email_only(db)
    await queue(db, guide, "auth.invite", channel="email", params={"link": "https://x.test/i/abc"})
    assert (await deliver(db, with_tls_smtp(quiet_settings, smtp_server_tls))).sent == 1
    [mail] = smtp_server_tls.wait_for(1)
    assert mail.tls is True and mail.login == SMTP_CREDENTIALS[0]
    assert "https://x.test/i/abc" in mail.message.get_body(("plain",)).get_content()


async def test_a_wrong_smtp_password_fails_without_retrying(db, quiet_settings, smtp_server_tls):
    guide = await email_only(db)
    row = await queue(db, guide)
    settings = with_tls_smtp(quiet_settings, smtp_server_tls, password="wrong")
    assert (await deliver(db, settings)).failed == 1
    row = await reload(db, row)
    assert row.status == "failed" and row.last_error.startswith("SMTP login refused")
    assert smtp_server_tls.received == []


async def test_a_temporary_smtp_refusal_is_retried(db, quiet_settings, smtp_server):
    guide = await email_only(db)
    row = await queue(db, guide)
    smtp_server.fail_next("451 4.3.0 Try again later")
    settings = with_smtp(quiet_settings, smtp_server)
    assert (await deliver(db, settings)).retried == 1
    row = await reload(db, row)
    assert row.last_error == "SMTP server answered 451"
    await deliver(db, settings, DAYTIME + timedelta(minutes=2))
    assert (await reload(db, row)).status == "sent"
    assert len(smtp_server.received) == 1


async def test_an_unreachable_smtp_server_is_retried(db, quiet_settings, smtp_server):
    guide = await email_only(db)
    row = await queue(db, guide)
    settings = with_smtp(quiet_settings, smtp_server, smtp_port=1)
    assert (await deliver(db, settings)).retried == 1
    assert (await reload(db, row)).last_error.startswith("SMTP unreachable")
