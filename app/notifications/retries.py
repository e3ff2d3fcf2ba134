"""When a delivery that failed is tried again, and when it is given up.

Retries back off exponentially with jitter, honour `Retry-After`, and stop after
`notification_max_attempts` with status `failed` and the reason (shown to admins).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.models import NotificationAttempt, NotificationStatus
from app.notifications.channels import DeliveryError
from app.notifications.claims import Claim
from app.settings import Settings

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


def backoff(attempt: int, *, retry_after: float | None = None) -> timedelta:
    """Exponential backoff with jitter (half fixed, half random), at least `Retry-After`."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    seconds = ceiling / 2 + random.uniform(0, ceiling / 2)
    return timedelta(seconds=max(seconds, retry_after or 0))


def outcome_values(
    claim: Claim,
    attempt: NotificationAttempt,
    error: DeliveryError | None,
    detail: str,
    *,
    settings: Settings,
    now: datetime,
) -> dict[str, object]:
    """What the notification becomes after this attempt: sent, retried later, or failed."""
    if error is None:
        values: dict[str, object] = {
            "status": NotificationStatus.sent,
            "sent_at": now,
            "last_error": None,
        }
        attempt.outcome, attempt.detail = "sent", detail[:500]
    elif error.retryable and claim.number < settings.notification_max_attempts:
        values = {
            "status": NotificationStatus.pending,
            "not_before": now + backoff(claim.number, retry_after=error.retry_after),
            "last_error": error.reason,
        }
        if error.retry_after == 0:
            values["not_before"] = now
        attempt.outcome, attempt.detail = "retry", error.reason
    else:
        values = {"status": NotificationStatus.failed, "last_error": error.reason}
        attempt.outcome, attempt.detail = "failed", error.reason
    return values
