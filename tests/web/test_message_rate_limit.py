"""Sending is rate-limited: a runaway client gets 429 with Retry-After, nothing stored."""

from sqlmodel import func, select

from app.models import Message
from app.services.messages import conversation
from tests.factories.people import make_user, make_youth, sign_in, user_of


async def test_too_many_messages_in_a_minute_answer_429_with_retry_after(
    client, db, settings, frozen_clock, monkeypatch
):
    monkeypatch.setattr(conversation, "SEND_LIMIT_PER_MINUTE", 3)
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    for n in range(3):
        response = await client.post(
            "/messages", data={"body": f"hej {n}", "client_key": f"k-{n:032d}"}
        )
        assert response.status_code in (200, 303), response.text
    refused = await client.post("/messages", data={"body": "en til", "client_key": "k-" + "9" * 32})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    count = (await db.exec(select(func.count()).select_from(Message))).one()
    assert count == 3
