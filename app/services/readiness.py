"""Is this instance ready to serve: database reachable, migrations at head."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.paths import MIGRATIONS_DIR


@cache
def head_revisions() -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@dataclass(frozen=True)
class Readiness:
    database: bool
    migrations: bool

    @property
    def ready(self) -> bool:
        return self.database and self.migrations

    def as_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "database": "ok" if self.database else "unreachable",
            "migrations": "at head" if self.migrations else "behind",
        }


async def check(db: AsyncSession) -> Readiness:
    try:
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception:
        return Readiness(database=False, migrations=False)
    try:
        rows = await db.exec(text("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]
        current = frozenset(row[0] for row in rows.all())
    except Exception:
        return Readiness(database=True, migrations=False)
    return Readiness(database=True, migrations=current == head_revisions())
