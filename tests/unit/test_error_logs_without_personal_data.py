"""An unexpected error is logged with where it happened, never with the data it was about."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from app.models import Role, User
from app.observability import JsonFormatter, TextFormatter

PHONE = "+4529871234"
NAME = "Rasmus Kildegaard Vestergaard"


async def test_a_failed_insert_logs_the_error_without_the_persons_data(db, caplog):
    db.add(User(role=Role.youth, name="Første", phone=PHONE))
    await db.flush()
    log = logging.getLogger("trinvis.test")
    caplog.set_level(logging.ERROR)
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            db.add(User(role=Role.youth, name=NAME, phone=PHONE, email="rasmus@kilde.example"))
            try:
                await db.flush()
            except IntegrityError:
                log.exception("unexpected error")
                raise

    [record] = [r for r in caplog.records if r.name == "trinvis.test"]
    for formatter in (JsonFormatter(), TextFormatter()):
        line = formatter.format(record)
        assert "IntegrityError" in line, "the kind of error is still there"
        assert "test_error_logs_without_personal_data.py" in line, "so is where it happened"
        for private in (PHONE, NAME, "rasmus@kilde.example", "29871234"):
            assert private not in line, f"log leaks {private!r}"


def test_a_chained_error_keeps_both_kinds_and_drops_both_messages(caplog):
    log = logging.getLogger("trinvis.test")
    caplog.set_level(logging.ERROR)
    typed = "Hej Camilla, jeg har det svært"  # what a young person wrote
    try:
        try:
            int(typed)
        except ValueError as error:
            raise RuntimeError(f"could not read {typed!r}") from error
    except RuntimeError:
        log.exception("unexpected error")
    line = JsonFormatter().format(caplog.records[-1])
    assert "builtins.RuntimeError" in line and "builtins.ValueError" in line
    assert "Camilla" not in line
