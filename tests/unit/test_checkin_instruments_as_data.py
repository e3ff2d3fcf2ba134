"""Instruments are versioned data: loading is idempotent, new wording is a new version,
and old answers keep pointing at the version they answered."""

import json
import shutil

import pytest
from sqlmodel import select

from app.models import Instrument
from app.services.checkins import answering
from app.services.checkins.instruments import INSTRUMENT_DIR, read_files, sync_instruments
from tests.factories.checkins import answer_who5
from tests.factories.people import make_user, make_youth, user_of


async def sync(db, folder=INSTRUMENT_DIR):
    connection = await db.connection()
    return await connection.run_sync(lambda sync_conn: sync_instruments(sync_conn, folder=folder))


async def versions(db, code):
    rows = await db.exec(
        select(Instrument).where(Instrument.code == code).order_by(Instrument.version)
    )
    return rows.all()


def test_the_repo_ships_who5_and_a_second_instrument():
    codes = {d.code for d in read_files()}
    assert {"who5", "readiness"} <= codes


async def test_the_migration_loaded_every_instrument_once(db):
    assert [(v.version, v.is_current) for v in await versions(db, "who5")] == [(1, True)]
    assert [(v.version, v.is_current) for v in await versions(db, "readiness")] == [(1, True)]


async def test_loading_the_same_files_again_changes_nothing(db):
    assert await sync(db) == [("readiness", 1), ("who5", 1)]
    assert await sync(db) == [("readiness", 1), ("who5", 1)]
    assert len(await versions(db, "who5")) == 1


async def test_new_wording_becomes_a_new_version_and_old_answers_keep_theirs(
    db, tmp_path, frozen_clock
):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    old = await answer_who5(db, actor=await user_of(db, youth), score=60, now=frozen_clock.now)

    for path in INSTRUMENT_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    changed = json.loads((tmp_path / "who5.json").read_text())
    changed["items"][0]["text"]["da"] = "… har jeg været glad og i et godt humør"
    (tmp_path / "who5.json").write_text(json.dumps(changed, ensure_ascii=False))
    assert ("who5", 2) in await sync(db, tmp_path)

    rows = await versions(db, "who5")
    assert [(v.version, v.is_current) for v in rows] == [(1, False), (2, True)]
    current = await answering.current_instrument(db, "who5")
    assert current.row.version == 2
    assert current.definition.items[0].text.da.endswith("i et godt humør")

    new = await answer_who5(db, actor=await user_of(db, youth), score=64, now=frozen_clock.now)
    await db.refresh(old)
    assert old.instrument_id == rows[0].id
    assert new.instrument_id == rows[1].id
    answered = await answering.instrument_versions(db, {old.instrument_id})
    assert answered[old.instrument_id].items[0].text.da == "… har jeg været glad og i godt humør"
    # Back to the original text: the original version is current again, no third version.
    assert ("who5", 1) in await sync(db)
    assert len(await versions(db, "who5")) == 2


async def test_a_malformed_instrument_file_is_refused(tmp_path):
    (tmp_path / "broken.json").write_text(json.dumps({"code": "broken", "items": []}))
    with pytest.raises(ValueError):
        read_files(tmp_path)
