"""A guide's invite form sent many times at once creates one young person and one
invite, and every submit gets the normal answer (never a 500)."""

from __future__ import annotations

from sqlmodel import select

from app.models import GuideAssignment, Invite, Notification, User, Youth, YouthIdentityLink
from tests.factories.people import make_user
from tests.parallel.conftest import PARALLEL, at_once, committed, http_clients, statuses


async def test_one_invite_form_sent_at_once_invites_once(real_app, real_engine):
    async with committed(real_engine) as db:
        guide = await make_user(db)
    form = {
        "name": "Nadia Holm",
        "birth_date": "2007-04-02",
        "readiness_group": "activity_ready",
        "phone": f"+4561{guide.id:06d}",
        "email": "",
        "youth_ref": f"YR-{guide.id}",
        "client_key": f"invite-key-{guide.id:06d}",
    }
    async with http_clients(real_app, PARALLEL, user=guide) as browsers:
        answers = await at_once(browsers, lambda http, _n: http.post("/guide/invite", data=form))
    assert statuses(answers) == [303] * PARALLEL
    async with committed(real_engine) as db:
        [person] = (await db.exec(select(User).where(User.phone == form["phone"]))).all()
        [youth] = (await db.exec(select(Youth).where(Youth.user_id == person.id))).all()
        [invite] = (await db.exec(select(Invite).where(Invite.user_id == person.id))).all()
        assert invite.created_by_id == guide.id and youth.guide_id == guide.id
        periods = (
            await db.exec(select(GuideAssignment).where(GuideAssignment.youth_id == youth.id))
        ).all()
        links = (
            await db.exec(select(YouthIdentityLink).where(YouthIdentityLink.youth_id == youth.id))
        ).all()
        sent = (await db.exec(select(Notification).where(Notification.user_id == person.id))).all()
        assert (len(periods), len(links), len(sent)) == (1, 1, 1)
