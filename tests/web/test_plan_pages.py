"""The plan as the young person and their guide use it, through HTTP."""

from __future__ import annotations

import re

from sqlmodel import func, select

from app.models import AuditRecord, PlanEvent, PlanStep, StepStatus
from tests.factories.people import make_user, make_youth, sign_in, user_of


def client_key(html: str) -> str:
    match = re.search(r'name="client_key" value="([0-9a-f]+)"', html)
    assert match, "the form carries a client key"
    return match.group(1)


async def add_step(db, youth, author, title: str, position: int, **fields) -> PlanStep:
    step = PlanStep(
        youth_id=youth.id, title=title, position=position, created_by_id=author.id, **fields
    )
    db.add(step)
    await db.flush()
    return step


async def test_young_person_sees_progress_and_marks_a_step_done(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide, destination="Tømrer (EUD)")
    person = await user_of(db, youth)
    first = await add_step(db, youth, guide, "Ring til skolen", 0, status=StepStatus.done)
    second = await add_step(db, youth, guide, "Besøg værkstedet", 1)
    await add_step(db, youth, guide, "Søg ind", 2)
    await sign_in(client, db, person, settings, frozen_clock.now)

    page = await client.get("/plan")
    assert page.status_code == 200
    assert "1 af 3 skridt" in page.text
    assert first.title in page.text

    answer = await client.post(
        f"/plan/steps/{second.id}/status", data={"status": "done"}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200
    assert "Godt gået!" in answer.text
    assert "2 af 3 skridt" in answer.text
    await db.refresh(second)
    assert second.status == StepStatus.done and second.done_at == frozen_clock.now
    events = (await db.exec(select(PlanEvent).where(PlanEvent.step_id == second.id))).all()
    assert [e.action for e in events] == ["step.status"]


async def test_home_shows_the_next_step_progress_and_goal(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide, destination="HF på VUC")
    await add_step(db, youth, guide, "Tal med studievejlederen", 0, status=StepStatus.done)
    await add_step(db, youth, guide, "Vælg fag", 1)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    page = await client.get("/")
    assert page.status_code == 200
    assert "Vælg fag" in page.text
    assert "1 af 2 skridt" in page.text
    assert "HF på VUC" in page.text


async def test_a_resubmitted_add_step_form_creates_one_step(client, db, settings, frozen_clock):
    youth = await make_youth(db, guide=await make_user(db))
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    key = client_key((await client.get("/plan")).text)
    form = {"title": "Køb buskort", "client_key": key}
    first = await client.post("/plan/steps", data=form)
    second = await client.post("/plan/steps", data=form)
    assert first.status_code == second.status_code == 303
    count = (
        await db.exec(
            select(func.count()).select_from(PlanStep).where(PlanStep.youth_id == youth.id)
        )
    ).one()
    assert count == 1


async def test_an_empty_step_is_refused_next_to_the_field_keeping_the_text(
    client, db, settings, frozen_clock
):
    youth = await make_youth(db, guide=await make_user(db))
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    key = client_key((await client.get("/plan")).text)
    answer = await client.post(
        "/plan/steps", data={"title": " ", "description": "Det jeg skrev", "client_key": key}
    )
    assert answer.status_code == 422
    assert 'id="title-error"' in answer.text and "Udfyld" in answer.text
    assert "Det jeg skrev" in answer.text
    assert client_key(answer.text) == key


async def test_guide_plan_page_is_audited_and_shows_history(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    key = client_key((await client.get(f"/guide/youth/{youth.id}/plan")).text)
    await client.post(
        f"/guide/youth/{youth.id}/plan/steps", data={"title": "Lav CV", "client_key": key}
    )
    page = await client.get(f"/guide/youth/{youth.id}/plan")
    assert page.status_code == 200
    assert "Tilføjede skridtet" in page.text and "Lav CV" in page.text
    audits = (await db.exec(select(AuditRecord).where(AuditRecord.youth_id == youth.id))).all()
    assert [a.action for a in audits] == ["plan.view", "plan.view"]


async def test_done_from_the_home_screen_without_javascript_comes_back_with_a_kind_word(
    client, db, settings, frozen_clock
):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    step = await add_step(db, youth, guide, "Køb buskort", 0)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    answer = await client.post(
        f"/plan/steps/{step.id}/status", data={"status": "done", "next": "/"}
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/?done={step.id}"
    home = await client.get(answer.headers["location"])
    assert "Godt gået!" in home.text and "Alle skridt er klaret" in home.text
    # An outside address in `next` is never followed.
    other = await client.post(
        f"/plan/steps/{step.id}/status", data={"status": "todo", "next": "https://evil.example/"}
    )
    assert other.headers["location"] == "/plan"


async def test_english_speakers_get_the_plan_in_english(client, db, settings, frozen_clock):
    guide = await make_user(db)
    youth = await make_youth(db, guide=guide)
    await add_step(db, youth, guide, "Call the school", 0)
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    client.cookies.set("trinvis_lang", "en")
    page = await client.get("/plan")
    assert "0 of 1 steps" in page.text and "Add a step of your own" in page.text
