"""`trinvis import-youth FILE [--dry-run]`: IT staff get the same preview from the command
line; --dry-run changes nothing, without it the rows are applied, and again nothing."""

from __future__ import annotations

import asyncio
import os
import sqlite3

import pytest

from app.cli import import_youth, main
from app.db import dispose_engine
from app.settings import get_settings
from tests.database import migrate
from tests.factories.onboarding import excel_csv, youth_rows

GUIDE = "it.vejleder@kommune.dk"


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """A database of its own (the command opens its own connections), set as the app's."""
    path = str(tmp_path / "cli.db")
    url = f"sqlite+aiosqlite:///{path}"
    migrate(url)
    monkeypatch.setenv("TRINVIS_DATABASE_URL", url)
    get_settings.cache_clear()
    asyncio.run(dispose_engine())  # the app's engine is built again, for this database
    yield path
    asyncio.run(dispose_engine())
    get_settings.cache_clear()


def _youth_count(database: str) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("select count(*) from youth").fetchone()[0])


def test_the_command_is_there(capsys):
    with pytest.raises(SystemExit) as done:
        main(["import-youth", "--help"])
    assert done.value.code == 0 and "--dry-run" in capsys.readouterr().out


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="the command on SQLite is enough: the services it calls run on both databases",
)
def test_import_youth_previews_applies_and_changes_nothing_the_second_time(
    database, tmp_path, capsys
):
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

    assert import_youth(str(path), dry_run=True) == 0
    dry = capsys.readouterr().out
    assert "preview: 2 new, 0 updated, 0 unchanged, 1 error" in dry
    assert "Søren Æbelø 0" in dry
    assert "     4  error" in dry  # the line number of the bad row
    assert _youth_count(database) == 0

    assert import_youth(str(path), dry_run=False) == 0
    assert "imported: 2 new, 0 updated, 0 unchanged, 1 error" in capsys.readouterr().out
    assert _youth_count(database) == 2

    assert import_youth(str(path), dry_run=False) == 0
    assert "imported: 0 new, 0 updated, 2 unchanged, 1 error" in capsys.readouterr().out
    assert _youth_count(database) == 2

    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    assert import_youth(str(tmp_path / "book.xlsx"), dry_run=False) == 1
    assert "Excel" in capsys.readouterr().err
    assert import_youth(str(tmp_path / "missing.csv"), dry_run=True) == 2
