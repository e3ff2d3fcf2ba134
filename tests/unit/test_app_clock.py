"""One clock for the whole app: TRINVIS_CLOCK sets it for the app, the worker, the demo
loader and the tests alike, and production refuses it."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from app.clock import set_clock, utcnow
from app.paths import ROOT_DIR
from app.settings import ConfigurationError, Settings
from tests.unit.test_settings import PRODUCTION

CHRISTMAS_EVE = "2026-12-24T22:30:00+01:00"


@pytest.fixture
def restore_clock():
    yield
    Settings(_env_file=None).apply_clock()


def test_production_refuses_a_chosen_clock(monkeypatch):
    monkeypatch.setenv("TRINVIS_CLOCK", CHRISTMAS_EVE)
    with pytest.raises(ConfigurationError, match="TRINVIS_CLOCK must not be set"):
        Settings(**{k: v for k, v in PRODUCTION.items() if k != "clock"})


def test_a_clock_without_an_offset_is_refused(monkeypatch):
    monkeypatch.setenv("TRINVIS_CLOCK", "2026-12-24T22:30:00")
    with pytest.raises(ValueError, match="UTC offset"):
        Settings(_env_file=None)


def test_a_chosen_clock_stands_still_unless_it_ticks(monkeypatch, restore_clock):
    monkeypatch.setenv("TRINVIS_CLOCK", CHRISTMAS_EVE)
    Settings(_env_file=None).apply_clock()
    assert utcnow() == datetime(2026, 12, 24, 21, 30, tzinfo=UTC)
    time.sleep(0.01)
    assert utcnow() == datetime(2026, 12, 24, 21, 30, tzinfo=UTC)

    monkeypatch.setenv("TRINVIS_CLOCK_TICKS", "1")
    Settings(_env_file=None).apply_clock()
    first = utcnow()
    time.sleep(0.01)
    assert datetime(2026, 12, 24, 21, 30, tzinfo=UTC) <= first < utcnow()

    set_clock(None)
    assert utcnow().year >= 2026  # the machine's clock again


def test_the_demo_loader_process_loads_the_demo_on_the_clocks_day(tmp_path):
    database = tmp_path / "clock.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "TRINVIS_ENV": "test",
        "TRINVIS_CLOCK": CHRISTMAS_EVE,
        "TRINVIS_CLOCK_TICKS": "0",
    }
    trinvis = [sys.executable, "-m", "app.cli"]
    for command in ("migrate", "demo"):
        subprocess.run([*trinvis, command], env=env, check=True, cwd=ROOT_DIR, timeout=120)
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        loaded = connection.execute(
            text("select value from app_setting where key = 'demo_data_loaded'")
        ).scalar_one()
        newest = connection.execute(text("select max(sent_at) from message")).scalar_one()
    engine.dispose()
    assert datetime.fromisoformat(loaded) == datetime(2026, 12, 24, 21, 30, tzinfo=UTC)
    # The demo's latest message is from the days before that evening, not from today.
    instant = datetime(2026, 12, 24, 21, 30)
    assert timedelta(0) <= instant - datetime.fromisoformat(newest) <= timedelta(days=10)
