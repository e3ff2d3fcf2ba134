"""The audit trail: every staff use of young people's personal data.

- `open_youth`: staff open one young person's data (a page, a conversation's live
  stream): the scope is checked and one record written, once per opening.
- `record_search`: staff search among young people: one record with the search words.
- `record_export`: an admin downloads the audit log: one record with the period.

Records are written in the same transaction as the read they describe, never updated,
and deleted only by the retention job after the municipality's period
(`app/services/admin/retention.py`). The young person sees the records about them
as "Hvem har set mine data"; searches and exports name no young person. Search words
live here and never in the process log.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AuditRecord, User
from app.security.access import Via, youth_scope

DETAIL_LENGTH = 200


async def record(
    db: AsyncSession,
    *,
    actor: User,
    youth_id: int | None,
    action: str,
    via: str,
    now: datetime,
    detail: str = "",
) -> None:
    assert actor.id is not None
    db.add(
        AuditRecord(
            at=now,
            actor_id=actor.id,
            youth_id=youth_id,
            action=action,
            via=via,
            detail=detail[:DETAIL_LENGTH],
        )
    )
    await db.flush()


async def open_youth(
    db: AsyncSession, *, actor: User, youth_id: int, action: str, now: datetime
) -> Via:
    """Check that `actor` may open this young person's data, and audit it when staff do."""
    via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    if via is not Via.self_:
        await record(db, actor=actor, youth_id=youth_id, action=action, via=via, now=now)
    return via


async def record_search(db: AsyncSession, *, actor: User, words: str, now: datetime) -> None:
    """Staff searched among young people for `words` (one record per search)."""
    await record(
        db, actor=actor, youth_id=None, action="search", via="", now=now, detail=words.strip()
    )


async def record_export(db: AsyncSession, *, actor: User, period: str, now: datetime) -> None:
    """An admin downloaded the audit log for `period` (itself a use of personal data)."""
    await record(
        db, actor=actor, youth_id=None, action="audit.export", via="", now=now, detail=period
    )
