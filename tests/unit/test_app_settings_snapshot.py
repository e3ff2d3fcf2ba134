"""The stored settings are read once per transaction, and a write is seen at once."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.models import Role
from app.notifications.rules import quiet_hours
from app.services import municipal_settings
from app.services.availability import sms_fallback_minutes, unanswered_limit_minutes
from tests.factories import T0, make_user


@contextmanager
def setting_reads(db) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = db.sync_session.get_bind()

    def count(_conn, _cursor, statement, *_args) -> None:
        if "FROM app_setting" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_one_transaction_reads_the_settings_once(db):
    with setting_reads(db) as reads:
        await quiet_hours(db)
        await sms_fallback_minutes(db)
        await unanswered_limit_minutes(db)
        await municipal_settings.current(db)
        assert len(reads) == 1
        await db.commit()
        await quiet_hours(db)  # a new transaction reads again: another process may have written
        assert len(reads) == 2


async def test_a_setting_written_in_the_transaction_is_read_back(db):
    admin = await make_user(db, Role.admin)
    assert await sms_fallback_minutes(db) == 30  # the default, now in the snapshot
    form = (await municipal_settings.current(db)).model_copy(
        update={"sms_delay_minutes": 45, "quiet_start_hour": 21}
    )
    await municipal_settings.update(db, actor=admin, form=form, now=T0)
    assert await sms_fallback_minutes(db) == 45
    assert (await quiet_hours(db)).start.hour == 21
