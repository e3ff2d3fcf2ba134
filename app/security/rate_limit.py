"""A rate limiter kept in the database, so every app replica counts the same hits.

Fixed windows: a row per key and window start, incremented with one upsert. A refused
request raises `RateLimited` (429 with `Retry-After`); the transaction then rolls back,
so the refused hit itself is not counted and the window ends on time.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import bound_values, dialect_of, for_each_dialect, value_params
from app.errors import RateLimited
from app.models import RateHit

log = logging.getLogger("trinvis.security")
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

_COUNT_HIT = for_each_dialect(
    lambda insert: (
        insert(RateHit.__table__)  # type: ignore[attr-defined]
        .values(**bound_values(("key", "window_start")), hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": col(RateHit.hits) + 1}
        )
        .returning(col(RateHit.hits))
    )
)


async def check_rate(
    db: AsyncSession, *, key: str, limit: int, window: timedelta, now: datetime
) -> int:
    """Count one hit for `key`; raise RateLimited when it is over `limit` in this window.

    Returns the number of hits in the window so far, this one included.
    """
    seconds = int(window.total_seconds())
    elapsed = int((now - EPOCH).total_seconds())
    window_start = now - timedelta(seconds=elapsed % seconds, microseconds=now.microsecond)
    params = value_params({"key": key[:160], "window_start": window_start})
    hits = int((await db.exec(_COUNT_HIT[dialect_of(db)], params=params)).scalar_one())  # type: ignore[call-overload]
    if hits > limit:
        retry_after = (window_start + window - now).total_seconds()
        log.info("request refused", extra={"event": "rate_limited", "bucket": key.split(":")[0]})
        raise RateLimited(retry_after_seconds=int(retry_after) + 1)
    return hits


async def delete_old_hits(db: AsyncSession, *, now: datetime) -> int:
    """Housekeeping: windows older than a day count for nothing."""
    result = await db.exec(
        delete(RateHit).where(col(RateHit.window_start) < now - timedelta(days=1))
    )
    return int(result.rowcount or 0)
