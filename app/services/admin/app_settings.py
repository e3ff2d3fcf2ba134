"""The stored `AppSetting` rows, read once per transaction.

A message to a young person needs the quiet hours and the SMS delay, a conversation page
the help lines and the unanswered limit: each of those used to be a query of its own.
The table holds a dozen short rows, so the first reader in a transaction reads them
all and the rest of the transaction uses that copy. The copy is dropped when the
transaction ends and whenever a setting is written (`forget`), so nobody reads a value
older than their own transaction.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AppSetting

SNAPSHOT_KEY = "trinvis_app_settings"
_ALL = select(AppSetting.key, AppSetting.value)


async def stored_values(db: AsyncSession) -> dict[str, str]:
    """Every stored setting, key -> JSON text (missing keys mean the default)."""
    info = db.sync_session.info
    snapshot: dict[str, str] | None = info.get(SNAPSHOT_KEY)
    if snapshot is None:
        rows = await db.exec(_ALL)
        snapshot = info[SNAPSHOT_KEY] = {key: value for key, value in rows.all()}
    return snapshot


def forget(db: AsyncSession) -> None:
    """A setting was written in this transaction: the next reader reads them again."""
    db.sync_session.info.pop(SNAPSHOT_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_when_transaction_ends(session: Session, _transaction: SessionTransaction) -> None:
    session.info.pop(SNAPSHOT_KEY, None)
