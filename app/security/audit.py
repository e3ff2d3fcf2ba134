"""The audit trail: every time staff open a young person's personal data.

Records are written in the same transaction as the read they describe and are never
updated or deleted by the app. The young person sees them as "Hvem har set mine data".
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AuditRecord, User
from app.security.access import Via, youth_scope


async def record(
    db: AsyncSession, *, actor: User, youth_id: int, action: str, via: str, now: datetime
) -> None:
    assert actor.id is not None
    db.add(AuditRecord(at=now, actor_id=actor.id, youth_id=youth_id, action=action, via=via))
    await db.flush()


async def open_youth(
    db: AsyncSession, *, actor: User, youth_id: int, action: str, now: datetime
) -> Via:
    """Check that `actor` may open this young person's data, and audit it when staff do."""
    via = await youth_scope(db, actor=actor, youth_id=youth_id, now=now)
    if via is not Via.self_:
        await record(db, actor=actor, youth_id=youth_id, action=action, via=via, now=now)
    return via
