"""Is this instance ready to serve (the `/readyz` probe): database reachable, migrations at
head. ("Readiness" in this app is a young person's readiness group, not this.)"""

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
class HealthReport:
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


async def check(db: AsyncSession) -> HealthReport:
    try:
        await db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception:
        return HealthReport(database=False, migrations=False)
    try:
        rows = await db.exec(text("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]
        current = frozenset(row[0] for row in rows.all())
    except Exception:
        return HealthReport(database=True, migrations=False)
    return HealthReport(database=True, migrations=current == head_revisions())
