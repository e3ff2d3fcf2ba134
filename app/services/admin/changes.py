"""The log of admin changes: staff, teams and settings, with the old and new value.

Every admin service writes one row here in the same transaction as the change. The
young person's "who has seen my data" reads `AuditRecord` only, so nothing here shows
there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Forbidden
from app.models import AdminChange, Role, User

PAGE_SIZE = 200


async def record(
    db: AsyncSession,
    *,
    actor: User | None,
    action: str,
    target: str,
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime,
) -> AdminChange:
    """Write one change; `actor` None means the system did it (the retention job)."""
    change = AdminChange(
        at=now,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target,
        target_label=target_label[:200],
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before else "",
        after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after else "",
    )
    db.add(change)
    await db.flush()
    return change


@dataclass(frozen=True)
class ChangeLine:
    """One row of the admin's change list, with old → new per field."""

    change: AdminChange
    actor_name: str | None
    fields: list[tuple[str, Any, Any]]


def _loads(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def recent(db: AsyncSession, *, actor: User, limit: int = PAGE_SIZE) -> list[ChangeLine]:
    """The newest changes first, for admins only."""
    if actor.role != Role.admin:
        raise Forbidden()
    rows = await db.exec(
        select(AdminChange, User.name)
        .outerjoin(User, col(User.id) == col(AdminChange.actor_id))
        .order_by(col(AdminChange.at).desc(), col(AdminChange.id).desc())
        .limit(limit)
    )
    lines = []
    for change, actor_name in rows.all():
        before, after = _loads(change.before), _loads(change.after)
        keys = list(dict.fromkeys([*before, *after]))
        fields = [(key, before.get(key), after.get(key)) for key in keys]
        lines.append(ChangeLine(change=change, actor_name=actor_name, fields=fields))
    return lines
