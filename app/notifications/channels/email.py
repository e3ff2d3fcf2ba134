"""E-mail through SMTP (aiosmtplib), with STARTTLS and login when configured.

The `Message-ID` is derived from the notification, so a retried e-mail after a lost
reply carries the same id and mail systems can recognise the duplicate.
"""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from app.notifications.channels import DeliveryError
from app.notifications.texts import RenderedText
from app.settings import Settings

TIMEOUT_SECONDS = 20


def is_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def build_message(
    settings: Settings, *, to: str, text: RenderedText, idempotency_key: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = text.title
    message["Date"] = formatdate(localtime=False)
    domain = settings.smtp_from.rsplit("@", 1)[-1].strip(" >") or "trinvis.invalid"
    message["Message-ID"] = f"<{idempotency_key}@{domain}>"
    body = text.body if text.url is None else f"{text.body}\n\n{text.url}"
    message.set_content(body)
    return message


async def send_email(
    settings: Settings, *, to: str, text: RenderedText, idempotency_key: str
) -> str:
    """Send one e-mail; returns the server's reply, or raises DeliveryError."""
    if not settings.smtp_host:
        raise DeliveryError("SMTP is not configured", retryable=False)
    message = build_message(settings, to=to, text=text, idempotency_key=idempotency_key)
    tls_context = None
    if settings.smtp_starttls and settings.smtp_ca_file:
        tls_context = ssl.create_default_context(cafile=settings.smtp_ca_file)
    try:
        _, reply = await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            start_tls=settings.smtp_starttls,
            tls_context=tls_context,
            timeout=TIMEOUT_SECONDS,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = {response.code for response in exc.recipients}
        transient = all(400 <= code < 500 for code in codes)
        raise DeliveryError(
            f"SMTP refused the recipient ({', '.join(map(str, sorted(codes)))})",
            retryable=transient,
        ) from exc
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP login refused ({exc.code})", retryable=False) from exc
    except aiosmtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"SMTP server answered {exc.code}", retryable=400 <= exc.code < 500
        ) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"SMTP unreachable ({type(exc).__name__})", retryable=True) from exc
    return reply
