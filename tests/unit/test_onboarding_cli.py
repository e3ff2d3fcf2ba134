"""`trinvis import-youth FILE [--dry-run]`: IT staff get the same preview from the command
line; --dry-run changes nothing, without it the rows are applied, and again nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from app.paths import ROOT_DIR
from tests.database import migrate
from tests.factories.onboarding import excel_csv, youth_rows

GUIDE = "it.vejleder@kommune.dk"


def _trinvis(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "TRINVIS_ENV": "test",
        "TRINVIS_SECRET_KEY": "cli-test-secret-key-0123456789abcdef-0123",
        "PYTHONPATH": str(ROOT_DIR),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _youth_count(database: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("select count(*) from youth").fetchone()[0])


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the command on SQLite is enough: the services it calls run on both databases",
)
def test_import_youth_previews_applies_and_changes_nothing_the_second_time(tmp_path):
    database = str(tmp_path / "cli.db")
    migrate(f"sqlite+aiosqlite:///{database}")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "insert into app_user (role, name, email, locale, is_active, created_at) "
            "values ('guide', 'IT Vejleder', ?, 'da', 1, '2026-01-05 09:00:00')",
            (GUIDE,),
        )
    rows = youth_rows(3, guide_email=GUIDE)
    rows[2][3] = "not a date"
    path = tmp_path / "unge.csv"
    path.write_bytes(excel_csv(rows, encoding="cp1252"))

    dry = _trinvis(database, "import-youth", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "preview: 2 new, 0 updated, 0 unchanged, 1 error" in dry.stdout
    assert "Søren Æbelø 0" in dry.stdout
    assert "     4  error" in dry.stdout  # the line number of the bad row
    assert _youth_count(database) == 0

    applied = _trinvis(database, "import-youth", str(path))
    assert applied.returncode == 0, applied.stderr
    assert "imported: 2 new, 0 updated, 0 unchanged, 1 error" in applied.stdout
    assert _youth_count(database) == 2

    again = _trinvis(database, "import-youth", str(path))
    assert "imported: 0 new, 0 updated, 2 unchanged, 1 error" in again.stdout
    assert _youth_count(database) == 2
