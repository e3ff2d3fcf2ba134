"""An erasure confirmed several times at once (a double click, two admins) erases the
young person once: one admin change, and every submit gets a normal answer."""

from __future__ import annotations

from sqlmodel import select

from app.models import AdminChange, Role, User, Youth
from tests.factories.people import make_user, make_youth
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses


async def test_one_erasure_sent_at_once_erases_once(real_app, real_engine):
    async with committed(real_engine) as db:
        admin = await make_user(db, Role.admin)
        youth = await make_youth(db, guide=await make_user(db))
        person = await db.get(User, youth.user_id)
        assert person is not None
        youth_id, phone = youth.id, person.phone
    form = {"address": phone, "reason": "mistake", "confirm": "true"}
    async with http_clients(real_app, PARALLEL, user=admin) as browsers:
        answers = await at_once(browsers, lambda http, _n: http.post("/admin/erasure", data=form))
    # Those that found the young person are told they are erased (303); any that came
    # after find nobody with that number (422); never a 500.
    answered = statuses(answers)
    assert 303 in answered and set(answered) <= {303, 422}
    async with committed(real_engine) as db:
        assert await db.get(Youth, youth_id) is None
        erasures = await db.exec(
            select(AdminChange).where(
                AdminChange.action == "person.erase", AdminChange.target == f"youth:{youth_id}"
            )
        )
        assert len(erasures.all()) == 1
