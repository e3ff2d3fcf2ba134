"""Where the files that ship beside the code live."""

from __future__ import annotations

from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT_DIR / "static"
MIGRATIONS_DIR = ROOT_DIR / "migrations"
