"""The stored settings are read once per transaction, and a write is seen at once."""

from app.models import Role
from app.notifications.rules import quiet_hours
from app.services.admin import municipal_settings
from app.services.messages.availability import sms_fallback_minutes, unanswered_limit_minutes
from tests.factories.people import T0, make_user
from tests.queries import statements_sent


def setting_reads(sent: list[str]) -> int:
    return sum("FROM app_setting" in statement for statement in sent)


async def test_one_transaction_reads_the_settings_once(db):
    with statements_sent(db) as sent:
        await quiet_hours(db)
        await sms_fallback_minutes(db)
        await unanswered_limit_minutes(db)
        await municipal_settings.current(db)
        assert setting_reads(sent) == 1
        await db.commit()
        await quiet_hours(db)  # a new transaction reads again: another process may have written
        assert setting_reads(sent) == 2


async def test_a_setting_written_in_the_transaction_is_read_back(db):
    admin = await make_user(db, Role.admin)
    assert await sms_fallback_minutes(db) == 30  # the default, now in the snapshot
    form = (await municipal_settings.current(db)).model_copy(
        update={"sms_delay_minutes": 45, "quiet_start_hour": 21}
    )
    await municipal_settings.update(db, actor=admin, form=form, now=T0)
    assert await sms_fallback_minutes(db) == 45
    assert (await quiet_hours(db)).start.hour == 21
