"""The young person's page, the handover summary, handover, covers and the leader's team."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlmodel import col, func, select

from app.clock import at_copenhagen_time, copenhagen_today
from app.models import (
    AlertKind,
    AuditRecord,
    CourseEndOutcome,
    Cover,
    EnrollmentEnd,
    GuideAssignment,
    Handover,
    Message,
    MessageKind,
    Notification,
    Role,
    User,
    Youth,
)
from app.web.static_assets import static_url
from tests.factories.checkins import checkin
from tests.factories.key_figures import end_course, enroll
from tests.factories.people import make_cover, make_team, make_user, make_youth, sign_in, user_of
from tests.factories.workspace import busy_youth

KEY = "0123456789abcdef0123456789abcdef"


async def count(db, model, *where) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(*where))).one()


async def test_opening_a_young_person_shows_every_area_and_is_audited(
    client, db, settings, frozen_clock
):
    guide = await make_user(db)
    youth = await busy_youth(db, guide, frozen_clock.now, 1)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get(f"/guide/youth/{youth.id}")
    assert page.status_code == 200
    for link in ("plan", "checkins", "messages", "notes", "appointments", "followups"):
        assert f"/guide/youth/{youth.id}/{link}" in page.text
    assert "Skridt 1" in page.text and "Ungeguide-historik" in page.text
    # The WHO-5 trend with its threshold lines, and instruments by name, not by code.
    assert 'id="youth-trend-who5-title"' in page.text
    assert page.text.count('stroke-dasharray="6 4"') == 2  # the 50 and 28 lines
    assert "(WHO5" not in page.text
    record = (await db.exec(select(AuditRecord))).one()
    assert (record.action, record.via, record.youth_id) == ("youth.view", "caseload", youth.id)


async def test_the_youth_page_shows_what_needs_the_guide_and_the_whole_course_history(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    guide = await make_user(db, name="Gitte Guide")
    leader = await make_user(db, Role.leader, name="Lone Leder")
    youth = await busy_youth(db, guide, now, 1)
    assert youth.id is not None and guide.id is not None
    await checkin(db, youth, score=20, taken_at=now - timedelta(days=1), alert=AlertKind.urgent)
    dropped = await enroll(
        db,
        youth,
        "2024-01-08",
        ended_at=now - timedelta(days=60),
        end_reason=EnrollmentEnd.dropped_out,
    )
    await end_course(db, youth, "2024-03-01", CourseEndOutcome.other, dropped)
    await end_course(db, youth, "2024-06-03", CourseEndOutcome.job)
    db.add(
        GuideAssignment(
            youth_id=youth.id,
            guide_id=guide.id,
            started_at=now - timedelta(days=90),
            assigned_by_id=leader.id,
            handover_note="Ringer helst om formiddagen",
        )
    )
    await db.flush()
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = (await client.get(f"/guide/youth/{youth.id}")).text
    # Both open alerts, then the risk flag.
    needs = page.split('id="needs-heading"')[1].split("</ul>")[0]
    assert needs.count("Akut") == 2 and needs.index("Akut") < needs.index("Risikoflag")
    assert "To opfølgninger uden svar" in needs
    # The course history: the start, each enrollment (the dropped one ended), newest end last.
    history = page.split('id="course-heading"')[1].split("</ol>")[0]
    assert history.count("<li>") == 5
    assert "8. januar 2024: Startede uddannelse – Fjordby Tekniske Skole (sluttede" in history
    assert "faldet fra)" in history and "Netto" in history
    assert history.index("Forløbet sluttede: Andet") < history.index("Forløbet sluttede: Job")
    # The current start and its next follow-up.
    assert "Job: Netto" in page and "Næste opfølgning:" in page
    guides = page.split('id="guides-heading"')[1]
    assert "<strong>Gitte Guide</strong>" in guides and "af Lone Leder" in guides
    assert "Overdragelsesnote: Ringer helst om formiddagen" in guides


async def test_the_handover_summary_is_printable_and_audited(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await busy_youth(db, guide, frozen_clock.now, 1)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    await checkin(db, youth, score=60, taken_at=frozen_clock.now, code="readiness")
    page = await client.get(f"/guide/youth/{youth.id}/summary")
    assert page.status_code == 200
    assert f'<link rel="stylesheet" href="{static_url("css/print-summary.css")}">' in page.text
    assert "Skridt 1" in page.text and "Akut" in page.text
    # The instruments by name, never by their codes (issue 19).
    assert "Trivsel (WHO-5)" in page.text and "Klar til uddannelse eller job" in page.text
    assert "WHO5" not in page.text and "READINESS" not in page.text
    record = (await db.exec(select(AuditRecord))).one()
    assert record.action == "youth.summary"
    # Only that page links the print stylesheet.
    assert "print-summary.css" not in (await client.get(f"/guide/youth/{youth.id}")).text


GUIDE_ROUTES = [
    ("GET", "/guide/youth/{y}", {}),
    ("GET", "/guide/youth/{y}/summary", {}),
    ("GET", "/guide/youth/{y}/handover", {}),
    (
        "POST",
        "/guide/youth/{y}/handover",
        {"to_guide_id": "{g}", "note": "Over til dig", "client_key": KEY},
    ),
]


@pytest.mark.parametrize(("method", "template", "form"), GUIDE_ROUTES)
async def test_guide_cannot_open_or_hand_over_another_guides_young_person(
    client, db, settings, frozen_clock, method, template, form
):
    owner = await make_user(db)
    youth = await make_youth(db, guide=owner, name="Fremmed Ungesen")
    intruder = await make_user(db)
    owner_id, youth_id = owner.id, youth.id
    await sign_in(client, db, intruder, settings, frozen_clock.now)
    data = {k: v.format(g=intruder.id) for k, v in form.items()} or None
    response = await client.request(method, template.format(y=youth_id), data=data)
    assert response.status_code == 404
    assert "Fremmed Ungesen" not in response.text
    assert (await db.get(Youth, youth_id)).guide_id == owner_id
    assert await count(db, AuditRecord) == 0
    assert await count(db, Handover) == 0


@pytest.mark.parametrize(("method", "template", "form"), GUIDE_ROUTES)
async def test_leader_and_young_person_cannot_use_the_guides_pages(
    client, db, settings, frozen_clock, method, template, form
):
    team = await make_team(db)
    guide = await make_user(db, team_id=team.id)
    youth = await make_youth(db, guide=guide)
    leader = await make_user(db, Role.leader, team_id=team.id)
    url, data = template.format(y=youth.id), {k: v.format(g=leader.id) for k, v in form.items()}
    person_ids = [leader.id, youth.user_id]
    for person_id in person_ids:
        client.cookies.clear()
        person = await db.get(User, person_id)
        await sign_in(client, db, person, settings, frozen_clock.now)
        response = await client.request(method, url, data=data or None)
        assert response.status_code == 403
    assert await count(db, AuditRecord) == 0


async def test_handover_moves_everything_tells_the_young_person_and_is_counted(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    old, new = await make_user(db), await make_user(db, name="Mads Kjær")
    youth = await busy_youth(db, old, now, 1)
    old_id, old_name, new_id, youth_id, person_id = (
        old.id,
        old.name,
        new.id,
        youth.id,
        youth.user_id,
    )
    await sign_in(client, db, old, settings, now)
    form = {"to_guide_id": str(new_id), "note": "Vil helst skrive.", "client_key": KEY}
    response = await client.post(f"/guide/youth/{youth_id}/handover", data=form)
    assert response.status_code == 303
    again = await client.post(f"/guide/youth/{youth_id}/handover", data=form)
    assert again.status_code == 303  # the same form again: the handover it made, once
    assert (await db.get(Youth, youth_id)).guide_id == new_id
    periods = (
        await db.exec(
            select(GuideAssignment)
            .where(GuideAssignment.youth_id == youth_id)
            .order_by(col(GuideAssignment.id))
        )
    ).all()
    assert [(p.guide_id, p.ended_at is None) for p in periods] == [(old_id, False), (new_id, True)]
    assert periods[-1].handover_note == "Vil helst skrive."
    assert await count(db, Handover, Handover.youth_id == youth_id) == 1
    line = (
        await db.exec(
            select(Message).where(Message.youth_id == youth_id, Message.kind == MessageKind.system)
        )
    ).one()
    assert "Mads Kjær" in line.body
    kinds = (await db.exec(select(Notification.kind, Notification.user_id))).all()
    assert ("guide.changed", person_id) in kinds and ("handover.received", new_id) in kinds
    # The old guide no longer reaches the young person; the new one sees the history.
    assert (await client.get(f"/guide/youth/{youth_id}")).status_code == 404
    client.cookies.clear()
    await sign_in(client, db, await db.get(User, new_id), settings, now)
    page = await client.get(f"/guide/youth/{youth_id}")
    assert page.status_code == 200
    assert "Vil helst skrive." in page.text and old_name in page.text
    assert "1 skift af ungeguide" in page.text
    # The young person sees the new guide's name and initials, and the kind line.
    client.cookies.clear()
    await sign_in(client, db, await db.get(User, person_id), settings, now)
    home = await client.get("/")
    assert "Mads Kjær" in home.text and ">MK<" in home.text
    messages = await client.get("/messages")
    assert "Mads Kjær er din ungeguide nu" in messages.text


async def test_the_same_handover_key_moves_nobody_twice(db, frozen_clock):
    from app.services.workspace.handover import HandoverForm, hand_over

    old, new = await make_user(db), await make_user(db)
    youth = await make_youth(db, guide=old)
    form = HandoverForm(to_guide_id=new.id, note="Over til dig", client_key=KEY)
    first = await hand_over(db, actor=old, youth_id=youth.id, form=form, now=frozen_clock.now)
    assert first.created
    from app.services.workspace.handover import move

    again = await move(
        db,
        actor=old,
        youth=youth,
        from_guide_id=old.id,
        to=old,
        note="x",
        key=KEY,
        now=frozen_clock.now,
    )
    assert not again.created and youth.guide_id == new.id
    assert await count(db, GuideAssignment, GuideAssignment.youth_id == youth.id) == 2


async def test_a_handover_form_without_a_note_is_refused_and_keeps_the_choice(
    client, db, settings, frozen_clock
):
    old, new = await make_user(db), await make_user(db)
    youth = await make_youth(db, guide=old)
    old_id, new_id, youth_id = old.id, new.id, youth.id
    await sign_in(client, db, old, settings, frozen_clock.now)
    response = await client.post(
        f"/guide/youth/{youth_id}/handover",
        data={"to_guide_id": str(new_id), "note": " ", "client_key": KEY},
    )
    assert response.status_code == 422
    assert "Skriv en kort overdragelsesnote" in response.text
    assert f'<option value="{new_id}" selected>' in response.text
    assert (await db.get(Youth, youth_id)).guide_id == old_id


async def test_a_covering_guide_sees_the_young_person_but_cannot_hand_them_over(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    owner, colleague = await make_user(db), await make_user(db)
    youth = await make_youth(db, guide=owner)
    await make_cover(
        db,
        absent=owner,
        covering=colleague,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    owner_id, youth_id, colleague_id = owner.id, youth.id, colleague.id
    await sign_in(client, db, colleague, settings, now)
    assert (await client.get(f"/guide/youth/{youth_id}")).status_code == 200
    record = (await db.exec(select(AuditRecord))).one()
    assert record.via == "cover"
    response = await client.post(
        f"/guide/youth/{youth_id}/handover",
        data={"to_guide_id": str(colleague_id), "note": "Tager over", "client_key": KEY},
    )
    assert response.status_code == 403
    assert (await db.get(Youth, youth_id)).guide_id == owner_id
    frozen_clock.now = later = now + timedelta(days=2)
    client.cookies.clear()
    await sign_in(client, db, await db.get(User, colleague_id), settings, later)
    assert (await client.get(f"/guide/youth/{youth_id}")).status_code == 404


# The leader ---------------------------------------------------------------------------


async def _team(db, size: int = 2):
    team = await make_team(db)
    guides = [await make_user(db, team_id=team.id) for _ in range(size)]
    leader = await make_user(db, Role.leader, team_id=team.id)
    return team, guides, leader


async def test_team_page_shows_caseload_sizes_without_young_peoples_names(
    client, db, settings, frozen_clock
):
    _team_row, (a, _b), leader = await _team(db)
    for _ in range(26):
        await make_youth(db, guide=a, name="Skjult Ungesen")
    await sign_in(client, db, leader, settings, frozen_clock.now)
    page = await client.get("/leader/team")
    assert page.status_code == 200
    assert (
        a.name in page.text and ">26" in page.text and "Above 25" in page.text
    ) or "Over 25" in page.text
    assert "Skjult Ungesen" not in page.text


async def test_leader_creates_a_cover_once_and_ends_it(client, db, settings, frozen_clock):
    now = frozen_clock.now
    _team_row, (a, b), leader = await _team(db)
    youth = await make_youth(db, guide=a)
    await sign_in(client, db, leader, settings, now)
    today = now.date()
    form = {
        "absent_guide_id": str(a.id),
        "covering_guide_id": str(b.id),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=7)).isoformat(),
        "client_key": KEY,
    }
    assert (await client.post("/leader/covers", data=form)).status_code == 303
    assert (await client.post("/leader/covers", data=form)).status_code == 303
    cover = (await db.exec(select(Cover))).one()
    page = await client.get("/leader/team")
    assert b.name in page.text
    assert (await client.post(f"/leader/covers/{cover.id}/end", data={})).status_code == 303
    await db.refresh(cover)
    assert cover.ends_at == now
    client.cookies.clear()
    await sign_in(client, db, b, settings, now + timedelta(minutes=1))
    frozen_clock.now = now + timedelta(minutes=1)
    assert (await client.get(f"/guide/youth/{youth.id}")).status_code == 404


async def test_a_cover_form_with_the_same_guide_twice_is_refused(
    client, db, settings, frozen_clock
):
    _team_row, (a, _b), leader = await _team(db)
    a_id = a.id
    await sign_in(client, db, leader, settings, frozen_clock.now)
    today = frozen_clock.now.date()
    response = await client.post(
        "/leader/covers",
        data={
            "absent_guide_id": str(a_id),
            "covering_guide_id": str(a_id),
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "client_key": KEY,
        },
    )
    assert response.status_code == 422
    assert "kan ikke dække for sig selv" in response.text
    assert await count(db, Cover) == 0


async def test_a_colleague_who_is_away_cannot_be_made_the_cover(client, db, settings, frozen_clock):
    """Young people would read that someone answers who is away too (issue 19 #6)."""
    now = frozen_clock.now
    _team_row, (a, b, c), leader = await _team(db, size=3)
    await make_youth(db, guide=a)
    b_name, a_id, b_id = b.name, a.id, b.id
    today = copenhagen_today(now)
    # B is away for a week, covered by C.
    await make_cover(
        db,
        absent=b,
        covering=c,
        starts_at=at_copenhagen_time(today).astimezone(UTC),
        ends_at=at_copenhagen_time(today + timedelta(days=7)).astimezone(UTC),
    )
    await sign_in(client, db, leader, settings, now)
    form = {
        "absent_guide_id": str(a_id),
        "covering_guide_id": str(b_id),
        "starts_on": (today + timedelta(days=2)).isoformat(),
        "ends_on": (today + timedelta(days=10)).isoformat(),
        "client_key": KEY,
    }
    response = await client.post("/leader/covers", data=form)
    assert response.status_code == 422
    assert f"{b_name} er væk på nogle af dagene. Vælg en kollega, der er på arbejde." in (
        response.text
    )
    assert f'value="{(today + timedelta(days=10)).isoformat()}"' in response.text  # kept
    assert await count(db, Cover, Cover.absent_guide_id == a_id) == 0

    # From the day B is back, B can cover.
    form |= {"starts_on": (today + timedelta(days=7)).isoformat()}
    assert (await client.post("/leader/covers", data=form)).status_code == 303
    assert await count(db, Cover, Cover.covering_guide_id == b_id) == 1


async def test_bulk_handover_spreads_in_turn_and_a_retry_moves_nobody_twice(
    client, db, settings, frozen_clock
):
    now = frozen_clock.now
    _team_row, (leaving, b, c), leader = await _team(db, 3)
    young = [await make_youth(db, guide=leaving) for _ in range(5)]
    keep = young[4]
    await sign_in(client, db, leader, settings, now)
    page = await client.get(f"/leader/team/guides/{leaving.id}/handover")
    person = await user_of(db, young[0])
    assert page.status_code == 200 and person.name in page.text
    form = {
        "youth_ids": [str(y.id) for y in young[:4]],
        "distribution": "round_robin",
        "to_guide_ids": [str(b.id), str(c.id)],
        "note": "Mads stopper. Alle er informeret.",
        "client_key": KEY,
    }
    url = f"/leader/team/guides/{leaving.id}/handover"
    assert (await client.post(url, data=form)).status_code == 303
    assert (await client.post(url, data=form)).status_code == 303
    for y in young:
        await db.refresh(y)
    assert sorted(y.guide_id for y in young[:4]) == sorted([b.id, b.id, c.id, c.id])
    assert keep.guide_id == leaving.id
    assert await count(db, Handover) == 4
    assert await count(db, GuideAssignment, col(GuideAssignment.ended_at).is_(None)) == 5
    assert await count(db, Message, Message.kind == MessageKind.system) == 4


async def test_bulk_move_selects_all_and_answers_a_missing_note_in_its_own_words(
    client, db, settings, frozen_clock
):
    """The form once relied on the browser's "Please fill out this field" (issue 19 #17)."""
    now = frozen_clock.now
    _team_row, (leaving, b), leader = await _team(db, 2)
    young = [await make_youth(db, guide=leaving) for _ in range(3)]
    leaving_id, b_id = leaving.id, b.id
    await sign_in(client, db, leader, settings, now)
    url = f"/leader/team/guides/{leaving_id}/handover"
    page = await client.get(url)
    assert "novalidate" in page.text and 'href="?all=1">Vælg alle</a>' in page.text
    assert page.text.count('name="youth_ids" value="') == 3
    assert 'name="youth_ids" value="' + str(young[0].id) + '" checked' not in page.text
    everyone = await client.get(url + "?all=1")
    assert everyone.text.count('" checked> ') >= 3
    for y in young:
        assert f'name="youth_ids" value="{y.id}" checked' in everyone.text
    form = {
        "youth_ids": [str(y.id) for y in young],
        "distribution": "round_robin",
        "to_guide_ids": [str(b_id)],
        "note": "",
        "client_key": KEY,
    }
    refused = await client.post(url, data=form)
    assert refused.status_code == 422
    assert "Skriv en kort overdragelsesnote" in refused.text
    assert await count(db, Handover) == 0


async def test_bulk_handover_chosen_per_person_needs_a_choice_for_each(
    client, db, settings, frozen_clock
):
    _team_row, (leaving, b), leader = await _team(db)
    y1, y2 = await make_youth(db, guide=leaving), await make_youth(db, guide=leaving)
    y1_id, y2_id, b_id = y1.id, y2.id, b.id
    await sign_in(client, db, leader, settings, frozen_clock.now)
    url = f"/leader/team/guides/{leaving.id}/handover"
    form = {
        "youth_ids": [str(y1_id), str(y2_id)],
        "distribution": "chosen",
        f"to_{y1_id}": str(b_id),
        "note": "Overdragelse",
        "client_key": KEY,
    }
    response = await client.post(url, data=form)
    assert response.status_code == 422 and "Vælg hvem der tager over" in response.text
    assert await count(db, Handover) == 0
    form[f"to_{y2_id}"] = str(b_id)
    assert (await client.post(url, data=form)).status_code == 303
    assert await count(db, Youth, Youth.guide_id == b_id) == 2


LEADER_ROUTES = [
    ("GET", "/leader/team/guides/{g}/handover", {}),
    (
        "POST",
        "/leader/team/guides/{g}/handover",
        {"youth_ids": "{y}", "to_guide_ids": "{t}", "note": "x y", "client_key": KEY},
    ),
    ("POST", "/leader/covers/{c}/end", {}),
]


@pytest.mark.parametrize(("method", "template", "form"), LEADER_ROUTES)
async def test_leader_cannot_reach_another_teams_guides_by_id(
    client, db, settings, frozen_clock, method, template, form
):
    now = frozen_clock.now
    _t, (a, b), _their_leader = await _team(db)
    _mine, _guides, me = await _team(db)
    youth = await make_youth(db, guide=a)
    cover = await make_cover(
        db, absent=a, covering=b, starts_at=now, ends_at=now + timedelta(days=3)
    )
    ids = {"g": a.id, "y": youth.id, "t": b.id, "c": cover.id}
    await sign_in(client, db, me, settings, now)
    data = {k: v.format(**ids) for k, v in form.items()} or None
    response = await client.request(method, template.format(**ids), data=data)
    assert response.status_code == 404
    assert (await db.get(Youth, ids["y"])).guide_id == ids["g"]
    assert (await db.get(Cover, ids["c"])).ends_at == now + timedelta(days=3)


@pytest.mark.parametrize(
    ("method", "template", "form"), [*LEADER_ROUTES, ("GET", "/leader/team", {})]
)
async def test_guides_cannot_use_the_leaders_pages(
    client, db, settings, frozen_clock, method, template, form
):
    now = frozen_clock.now
    _t, (a, b), _leader = await _team(db)
    youth = await make_youth(db, guide=a)
    cover = await make_cover(
        db, absent=a, covering=b, starts_at=now, ends_at=now + timedelta(days=3)
    )
    await sign_in(client, db, b, settings, now)
    ids = {"g": a.id, "y": youth.id, "t": b.id, "c": cover.id}
    data = {k: v.format(**ids) for k, v in form.items()} or None
    response = await client.request(method, template.format(**ids), data=data)
    assert response.status_code == 403
