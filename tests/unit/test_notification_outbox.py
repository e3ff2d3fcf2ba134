from sqlmodel import func, select

from app.models import Notification, Role
from app.notifications.outbox import enqueue, params_of
from tests.factories.people import T0, make_user


async def test_the_same_event_queues_one_notification(db):
    person = await make_user(db, Role.youth)
    first = await enqueue(
        db, user_id=person.id, kind="message.new", dedupe_key="message:1", now=T0, params={"n": 1}
    )
    again = await enqueue(
        db, user_id=person.id, kind="message.new", dedupe_key="message:1", now=T0, params={"n": 2}
    )
    assert again.id == first.id
    assert params_of(again) == {"n": 1}
    count = await db.exec(select(func.count()).select_from(Notification))
    assert count.one() == 1


async def test_a_notification_waits_until_its_not_before_time(db):
    person = await make_user(db, Role.youth)
    later = T0.replace(hour=7)
    row = await enqueue(
        db, user_id=person.id, kind="checkin.due", dedupe_key="c:1", now=T0, not_before=later
    )
    assert row.not_before == later
    assert row.status == "pending"
