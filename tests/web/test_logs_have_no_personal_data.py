"""Log lines identify people by id only: no names, phone numbers or e-mail addresses."""

import logging

from sqlmodel import select

from app.demo import load_demo_data
from app.models import Role, User
from app.observability import JsonFormatter
from tests.factories.people import T0, ensure_csrf


async def test_a_demo_session_writes_no_personal_data_to_the_log(client, db, caplog):
    await load_demo_data(db, now=T0)
    people = (await db.exec(select(User))).all()
    private = [v for p in people for v in (p.name, p.phone, p.email) if v]
    ids = {role: next(p.id for p in people if p.role == role) for role in Role}
    caplog.set_level(logging.DEBUG)
    await ensure_csrf(client)
    for role in Role:
        await client.post("/demo/sign-in", data={"user_id": ids[role]})
        await client.get("/")
        await client.get("/no-such-page")
        await client.post("/logout")
    await client.post("/demo/sign-in", data={"user_id": 999999})

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any('"route": "/"' in line for line in lines), "the requests were logged"
    for value in private:
        assert not any(value in line for line in lines), f"log leaks {value!r}"
