"""The check-in pages: the young person answers and sees their curve; the guide follows
trends and acknowledges alerts, and can reach no other guide's young person."""

import re
from datetime import timedelta

import pytest
from sqlmodel import func, select

from app.models import AuditRecord, CheckIn, CheckInAlert, Role, Youth
from app.web.static_assets import static_url
from tests.factories.checkins import answer_who5, client_key, who5_answers
from tests.factories.people import make_cover, make_user, make_youth, sign_in, user_of


def form(score: int | None = None, key: str | None = None, **answers: str) -> dict[str, str]:
    data = {"instrument": "who5", "client_key": key or client_key()}
    data.update(
        {f"answer-{k}": v for k, v in (who5_answers(score) if score is not None else {}).items()}
    )
    data.update({f"answer-{k}": v for k, v in answers.items()})
    return data


async def count_checkins(db, youth_id: int) -> int:
    query = select(func.count()).select_from(CheckIn).where(CheckIn.youth_id == youth_id)
    return (await db.exec(query)).one()


@pytest.fixture
async def people(db):
    guide = await make_user(db, Role.guide, name="Camilla Holm")
    youth = await make_youth(db, guide=guide, name="Sara Nielsen")
    return guide, youth, await user_of(db, youth)


@pytest.fixture
def sara_id(people) -> int:
    """Read before any request: a refused request rolls back and expires the rows."""
    return people[1].id


async def as_youth(client, db, settings, frozen_clock, people):
    await sign_in(client, db, people[2], settings, frozen_clock.now)


async def test_the_form_without_javascript_is_one_page_of_radio_groups(
    client, db, settings, frozen_clock, people
):
    await as_youth(client, db, settings, frozen_clock, people)
    page = await client.get("/checkins/new/who5")
    assert page.status_code == 200
    assert "I de sidste 2 uger …" in page.text
    assert "… er jeg vågnet frisk og udhvilet" in page.text
    assert page.text.count('type="radio"') == 30
    assert page.text.count("På intet tidspunkt") == 5
    assert re.search(r'name="client_key" value="[A-Za-z0-9_-]{16,}"', page.text)
    assert f'src="{static_url("js/checkin.js")}"' in page.text
    assert " style=" not in page.text


async def test_the_young_person_sends_who5_and_sees_a_kind_result(
    client, db, settings, frozen_clock, people
):
    await as_youth(client, db, settings, frozen_clock, people)
    response = await client.post("/checkins", data=form(44))
    assert response.status_code == 303
    result = await client.get(response.headers["location"])
    assert result.status_code == 200
    assert "<strong>44</strong>" in result.text
    assert "Skriv til min ungeguide" in result.text and 'href="/messages"' in result.text
    for word in ("depression", "Akut", "Undersøg nærmere", "stroke-dasharray"):
        assert word not in result.text


async def test_a_good_score_does_not_push_the_guide(client, db, settings, frozen_clock, people):
    await as_youth(client, db, settings, frozen_clock, people)
    response = await client.post("/checkins", data=form(80))
    result = await client.get(response.headers["location"])
    assert "<strong>80</strong>" in result.text
    assert "Skriv til min ungeguide" not in result.text


async def test_sending_twice_stores_one_check_in_and_shows_the_same_result(
    client, db, settings, frozen_clock, people, sara_id
):
    await as_youth(client, db, settings, frozen_clock, people)
    data = form(60)
    first = await client.post("/checkins", data=data)
    second = await client.post("/checkins", data=data)
    assert first.headers["location"] == second.headers["location"]
    assert await count_checkins(db, sara_id) == 1


async def test_a_missing_answer_shows_the_form_again_with_the_answers_kept(
    client, db, settings, frozen_clock, people, sara_id
):
    await as_youth(client, db, settings, frozen_clock, people)
    data = form(None, key="kept-key-1234567", q1="5", q2="4", q3="3", q5="0")
    page = await client.post("/checkins", data=data)
    assert page.status_code == 422
    assert 'id="answer-q4-error"' in page.text and "Vælg et svar." in page.text
    assert re.search(r'name="answer-q1" value="5"\s+checked', page.text)
    assert re.search(r'name="answer-q5" value="0"\s+checked', page.text)
    assert 'value="kept-key-1234567"' in page.text
    assert await count_checkins(db, sara_id) == 0


async def test_an_unknown_instrument_is_a_clear_not_found(
    client, db, settings, frozen_clock, people, sara_id
):
    await as_youth(client, db, settings, frozen_clock, people)
    assert (await client.get("/checkins/new/phq9")).status_code == 404
    response = await client.post("/checkins", data={**form(40), "instrument": "phq9"})
    assert response.status_code == 404
    assert "Vi kender ikke denne måling" in response.text
    assert await count_checkins(db, sara_id) == 0


async def test_a_young_person_cannot_open_someone_elses_result(
    client, db, settings, frozen_clock, people
):
    other = await make_youth(db, guide=people[0])
    theirs = await answer_who5(db, actor=await user_of(db, other), score=40, now=frozen_clock.now)
    await as_youth(client, db, settings, frozen_clock, people)
    assert (await client.get(f"/checkins/{theirs.id}")).status_code == 404


async def test_the_young_persons_overview_shows_what_is_due_and_their_curve(
    client, db, settings, frozen_clock, people
):
    now = frozen_clock.now
    for n, score in enumerate([56, 64, 72]):
        await answer_who5(db, actor=people[2], score=score, now=now - timedelta(days=95 - 30 * n))
    await as_youth(client, db, settings, frozen_clock, people)
    page = await client.get("/checkins")
    assert page.status_code == 200
    assert "Det er tid til at svare" in page.text  # WHO-5, last answered 35 days ago
    assert "<svg" in page.text and "Du har svaret 3 gange. Dit seneste tal er 72." in page.text
    assert "stroke-dasharray" not in page.text  # no threshold lines for the young person


async def test_the_guide_sees_the_trend_with_the_50_and_28_lines_and_it_is_audited(
    client, db, settings, frozen_clock, people
):
    guide, youth, person = people
    await answer_who5(db, actor=person, score=60, now=frozen_clock.now - timedelta(days=30))
    await answer_who5(db, actor=person, score=24, now=frozen_clock.now)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get(f"/guide/youth/{youth.id}/checkins")
    assert page.status_code == 200
    assert page.text.count('stroke-dasharray="6 4"') == 2
    assert re.search(r'font-weight="bold" fill="#[0-9a-f]{6}">50<', page.text)
    assert re.search(r'font-weight="bold" fill="#[0-9a-f]{6}">28<', page.text)
    assert "Akut" in page.text and "Markant fald" in page.text
    assert " style=" not in page.text
    audit = (await db.exec(select(AuditRecord).where(AuditRecord.youth_id == youth.id))).all()
    assert [(a.action, a.via, a.actor_id) for a in audit] == [
        ("checkins.view", "caseload", guide.id)
    ]


async def test_the_caseload_overview_lists_alerts_first_without_auditing(
    client, db, settings, frozen_clock, people
):
    guide, _youth, person = people
    calm = await make_youth(db, guide=guide, name="Anders Andersen")
    await answer_who5(db, actor=await user_of(db, calm), score=80, now=frozen_clock.now)
    await answer_who5(db, actor=person, score=40, now=frozen_clock.now)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get("/guide/checkins")
    assert page.status_code == 200
    assert page.text.index("Sara Nielsen") < page.text.index("Anders Andersen")
    assert "1 åben alarm" in page.text
    assert (await db.exec(select(func.count()).select_from(AuditRecord))).one() == 0


async def test_the_guide_acknowledges_an_alert_with_a_short_note(
    client, db, settings, frozen_clock, people
):
    guide, youth, person = people
    await answer_who5(db, actor=person, score=24, now=frozen_clock.now)
    alert = (await db.exec(select(CheckInAlert).where(CheckInAlert.youth_id == youth.id))).one()
    alert_id, guide_id = alert.id, guide.id
    await sign_in(client, db, guide, settings, frozen_clock.now)
    url = f"/guide/youth/{youth.id}/checkins/alerts/{alert_id}/acknowledge"
    refused = await client.post(url, data={"note": ""})
    assert refused.status_code == 422
    assert f'id="note-{alert_id}-error">Skriv en kort note om, hvad du gjorde.<' in refused.text
    assert (await db.get(CheckInAlert, alert_id)).acknowledged_at is None
    done = await client.post(url, data={"note": "Ringet op, møde i morgen kl. 10."})
    assert done.status_code == 303
    alert = await db.get(CheckInAlert, alert_id)
    assert alert.acknowledged_by_id == guide_id and alert.note == "Ringet op, møde i morgen kl. 10."


async def test_an_alert_of_another_young_person_cannot_be_acknowledged_through_this_one(
    client, db, settings, frozen_clock, people
):
    guide, youth, _ = people
    stranger = await make_user(db)
    elsewhere = await make_youth(db, guide=stranger)
    await answer_who5(db, actor=await user_of(db, elsewhere), score=20, now=frozen_clock.now)
    alert = (await db.exec(select(CheckInAlert).where(CheckInAlert.youth_id == elsewhere.id))).one()
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.post(
        f"/guide/youth/{youth.id}/checkins/alerts/{alert.id}/acknowledge", data={"note": "Set"}
    )
    assert response.status_code == 404
    await db.refresh(alert)
    assert alert.acknowledged_at is None


async def test_the_guide_sets_the_cadence(client, db, settings, frozen_clock, people):
    guide, youth, _ = people
    await sign_in(client, db, guide, settings, frozen_clock.now)
    url = f"/guide/youth/{youth.id}/checkins/cadence"
    refused = await client.post(url, data={"cadence_days": "5"})
    assert (
        refused.status_code == 422 and "Tallet skal være mindst 14." in refused.text
    ) or "14" in refused.text
    assert 'value="5"' in refused.text
    assert (await client.post(url, data={"cadence_days": "21"})).status_code == 303
    await db.refresh(youth)
    assert youth.checkin_cadence_days == 21


async def test_filled_in_together_at_a_meeting(client, db, settings, frozen_clock, people):
    guide, youth, _ = people
    await sign_in(client, db, guide, settings, frozen_clock.now)
    page = await client.get(f"/guide/youth/{youth.id}/checkins/new/who5")
    assert page.status_code == 200 and "Sara Nielsen" in page.text
    response = await client.post(f"/guide/youth/{youth.id}/checkins", data=form(52))
    assert response.status_code == 303
    checkin = (await db.exec(select(CheckIn).where(CheckIn.youth_id == youth.id))).one()
    assert checkin.together and checkin.recorded_by_id == guide.id


async def test_a_covering_colleague_reaches_the_young_person(
    client, db, settings, frozen_clock, people
):
    guide, youth, _ = people
    colleague = await make_user(db)
    now = frozen_clock.now
    await make_cover(
        db,
        absent=guide,
        covering=colleague,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    await sign_in(client, db, colleague, settings, now)
    assert (await client.get(f"/guide/youth/{youth.id}/checkins")).status_code == 200
    audit = (await db.exec(select(AuditRecord).where(AuditRecord.actor_id == colleague.id))).one()
    assert audit.via == "cover"


async def test_a_guide_cannot_reach_another_guides_young_person_by_id(
    client, db, settings, frozen_clock, people, sara_id
):
    _, youth, person = people
    await answer_who5(db, actor=person, score=20, now=frozen_clock.now)
    alert = (await db.exec(select(CheckInAlert).where(CheckInAlert.youth_id == youth.id))).first()
    stranger = await make_user(db)
    await sign_in(client, db, stranger, settings, frozen_clock.now)
    alert_id = alert.id
    base = f"/guide/youth/{sara_id}/checkins"
    attempts = [
        client.get(base),
        client.get(f"{base}/new/who5"),
        client.post(base, data=form(40)),
        client.post(f"{base}/alerts/{alert_id}/acknowledge", data={"note": "Set"}),
        client.post(f"{base}/alerts/{alert_id}/acknowledge", data={"note": ""}),
        client.post(f"{base}/cadence", data={"cadence_days": "14"}),
        client.post(f"{base}/cadence", data={"cadence_days": "1"}),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 404, response.request.url
        assert "Sara" not in response.text
    assert await count_checkins(db, sara_id) == 1
    assert (await db.get(CheckInAlert, alert_id)).acknowledged_at is None
    assert (await db.get(Youth, sara_id)).checkin_cadence_days == 30
    assert (await db.exec(select(func.count()).select_from(AuditRecord))).one() == 0


@pytest.mark.parametrize("path", ["/guide/checkins", "/guide/youth/1/checkins"])
async def test_young_people_cannot_open_guide_pages(
    client, db, settings, frozen_clock, people, path
):
    await as_youth(client, db, settings, frozen_clock, people)
    assert (await client.get(path)).status_code == 403


async def test_staff_cannot_send_a_young_persons_check_in(
    client, db, settings, frozen_clock, people
):
    await sign_in(client, db, people[0], settings, frozen_clock.now)
    assert (await client.post("/checkins", data=form(40))).status_code == 403
    assert (await client.get("/checkins")).status_code == 403


async def test_the_home_card_shows_a_due_check_in(db, frozen_clock, people):
    from app.services.checkins.reminders import due_now
    from app.web.templating import environment

    await answer_who5(db, actor=people[2], score=60, now=frozen_clock.now - timedelta(days=31))
    due = await due_now(db, actor=people[2], now=frozen_clock.now)
    html = environment().get_template("home/_checkin_card.html").render(checkins_due=due)
    assert 'href="/checkins/new/who5"' in html
    assert "Det er tid til Trivsel (WHO-5)" in html
