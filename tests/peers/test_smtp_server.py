"""The SMTP peer: plain delivery, STARTTLS + AUTH, scripted temporary failures."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import pytest

from tests.peers.fixtures import SMTP_CREDENTIALS
from tests.peers.smtp_server import SmtpServer


def make_mail(subject: str = "Din plan") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Trinvis <noreply@trinvis.test>"
    message["To"] = "anna@guide.test"
    message["Subject"] = subject
    message.set_content("Hej Anna, æøå ✓")
    message.add_alternative("<p>Hej Anna</p>", subtype="html")
    return message


async def test_plain_delivery_is_recorded_and_parsed(smtp_server: SmtpServer) -> None:
    await aiosmtplib.send(make_mail(), hostname=smtp_server.host, port=smtp_server.port)
    [mail] = await smtp_server.wait_for_async(1)
    assert mail.mail_from == "noreply@trinvis.test"
    assert mail.rcpt_tos == ["anna@guide.test"]
    assert mail.tls is False and mail.login is None
    assert mail.message["Subject"] == "Din plan"
    assert mail.message.get_body(("plain",)).get_content().strip() == "Hej Anna, æøå ✓"
    assert smtp_server.messages[0]["To"] == "anna@guide.test"


async def test_starttls_and_auth(smtp_server_tls: SmtpServer) -> None:
    server = smtp_server_tls
    user, password = SMTP_CREDENTIALS
    await aiosmtplib.send(
        make_mail(),
        hostname=server.host,
        port=server.port,
        start_tls=True,
        tls_context=server.client_ssl_context(),
        username=user,
        password=password,
    )
    [mail] = server.wait_for(1)
    assert mail.tls is True and mail.login == user


async def test_starttls_is_required(smtp_server_tls: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPException):
        await aiosmtplib.send(
            make_mail(), hostname=smtp_server_tls.host, port=smtp_server_tls.port, start_tls=False
        )
    assert smtp_server_tls.received == []


async def test_wrong_password_is_refused(smtp_server_tls: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await aiosmtplib.send(
            make_mail(),
            hostname=smtp_server_tls.host,
            port=smtp_server_tls.port,
            start_tls=True,
            tls_context=smtp_server_tls.client_ssl_context(),
            username=SMTP_CREDENTIALS[0],
            password="wrong",
        )


async def test_fail_next_answers_a_temporary_error(smtp_server: SmtpServer) -> None:
    smtp_server.fail_next("451 4.3.0 Try again later")
    with pytest.raises(aiosmtplib.SMTPDataError) as caught:
        await aiosmtplib.send(make_mail(), hostname=smtp_server.host, port=smtp_server.port)
    assert caught.value.code == 451
    await aiosmtplib.send(make_mail("retry"), hostname=smtp_server.host, port=smtp_server.port)
    assert [m["Subject"] for m in smtp_server.messages] == ["retry"]
