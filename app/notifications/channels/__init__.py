"""The three ways a notification leaves Trinvis: Web Push, SMS and e-mail.

Each channel sends one rendered text and either returns (delivered) or raises
`DeliveryError`, which says whether trying again later can help. Channels know nothing
about the database; `app.notifications.delivery` decides what to send where and
records every attempt.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """The channel could not deliver. `reason` is for staff and never holds personal data."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason[:480]
        self.retryable = retryable
        self.retry_after = retry_after


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    from app.clock import utcnow

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds())
