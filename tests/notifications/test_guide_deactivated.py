"""A deactivated guide's young people are not told to wait for them (issue 19 #2).

Until a leader hands them over: the young person reads who sees to an answer now, their
messages reach the team's leader (proven by the e-mail the real SMTP server received,
without the message text), and the leader sees them as "uden ungeguide" first.
"""

from __future__ import annotations

import pytest

from app.models import Role
from tests.factories.people import make_team, make_user, make_youth, sign_in, user_of
from tests.notifications.conftest import deliver
from tests.notifications.test_email import with_smtp

pytestmark = pytest.mark.time_dependent

SECRET = "Jeg har det ikke godt i dag"


async def test_young_people_of_a_deactivated_guide_are_told_who_answers_and_reach_the_leader(
    client, db, settings, frozen_clock, smtp_server
):
    now = frozen_clock.now
    team = await make_team(db)
    guide = await make_user(db, Role.guide, name="Camilla Holm", team_id=team.id)
    leader = await make_user(
        db, Role.leader, name="Lene Lund", team_id=team.id, email="lene@kommune.test"
    )
    admin = await make_user(db, Role.admin)
    youth = await make_youth(db, guide=guide)
    await make_youth(db, guide=guide)
    guide_id = guide.id
    person = await user_of(db, youth)

    await sign_in(client, db, admin, settings, now)
    assert (await client.post(f"/admin/staff/{guide_id}/deactivate")).status_code == 303

    client.cookies.clear()
    await sign_in(client, db, person, settings, now)
    page = " ".join((await client.get("/messages")).text.split())
    assert "Camilla Holm er stoppet som din ungeguide. Du får snart en ny ungeguide." in page
    assert "Indtil da sørger Lene Lund, der er teamleder, for at du får svar." in page
    assert "Svarer som regel" not in page and "Din ungeguide er Camilla" not in page
    assert "112" in page or "Livslinien" in page  # where to get help now stays in view
    home = " ".join((await client.get("/")).text.split())
    assert "Camilla Holm" not in home
    sent = await client.post("/messages", data={"body": SECRET, "client_key": "k" * 32})
    assert sent.status_code in (200, 303)
    # A second message the same day does not notify the leader again.
    await client.post("/messages", data={"body": "Hallo?", "client_key": "m" * 32})
    await db.commit()

    outgoing = with_smtp(settings.model_copy(update={"demo_mode": False}), smtp_server)
    report = await deliver(db, outgoing, at=now)
    assert report.sent == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["lene@kommune.test"]
    body = mail.message.get_body(("plain",)).get_content()
    assert "En ung, hvis ungeguide er stoppet, har skrevet." in body
    assert SECRET not in body

    client.cookies.clear()
    await sign_in(client, db, leader, settings, now)
    overview = " ".join((await client.get("/")).text.split())
    assert "Uden ungeguide" in overview
    assert overview.index("Uden ungeguide") < overview.index("<table")
    assert "2 unge havde Camilla Holm." in overview
    assert f'href="/leader/team/guides/{guide_id}/handover"' in overview
    assert (await client.get(f"/leader/team/guides/{guide_id}/handover")).status_code == 200
