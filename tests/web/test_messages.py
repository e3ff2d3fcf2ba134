"""Messages between a young person and their guide, through the routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from app.models import (
    AuditRecord,
    Message,
    MessageEvent,
    Notification,
    RealtimePresence,
    ReplySnippet,
    Role,
)
from app.services.messages import conversation
from app.services.messages.availability import after_quiet_hours
from tests.factories.people import make_cover, make_user, make_youth, sign_in, user_of

pytestmark = pytest.mark.time_dependent

KEY = "k-0123456789abcdef"


async def _count(db, model, *where) -> int:
    return (await db.exec(select(func.count()).select_from(model).where(*where))).one()


@pytest.fixture
async def pair(db):
    guide = await make_user(db, Role.guide, name="Camilla Holm")
    youth = await make_youth(db, guide=guide, name="Sara Nielsen")
    return guide, youth


async def test_young_person_sends_a_message_and_a_retry_stores_it_once(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    form = {"body": "Hej Camilla, kan vi flytte mødet?", "client_key": KEY}
    first = await client.post("/messages", data=form)
    again = await client.post("/messages", data=form)
    assert first.status_code == again.status_code == 303
    assert await _count(db, Message, Message.youth_id == youth.id) == 1
    assert await _count(db, MessageEvent, MessageEvent.youth_id == youth.id) == 1
    page = await client.get("/messages")
    assert "Hej Camilla, kan vi flytte mødet?" in page.text


async def test_a_message_with_a_key_no_client_makes_is_refused_and_not_stored(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    refused = await client.post(
        "/messages", data={"body": "Hej", "client_key": "short"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422
    assert "Vi forstod ikke forespørgslen. Genindlæs siden, og prøv igen." in refused.text
    assert await _count(db, Message) == 0


async def test_our_script_gets_the_stored_message_back_as_html(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    response = await client.post(
        "/messages",
        data={"body": "Se https://ug.dk <b>nu</b>", "client_key": KEY},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'data-client-key="{KEY}"' in response.text
    assert "&lt;b&gt;nu&lt;/b&gt;" in response.text
    assert 'href="https://ug.dk" rel="noopener noreferrer nofollow"' in response.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [("   ", "Skriv en besked først."), ("x" * 4001, "højst 4000 tegn")],
)
async def test_an_empty_or_too_long_message_is_refused_next_to_the_field(
    client, db, settings, frozen_clock, pair, body, expected
):
    _guide, youth = pair
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    response = await client.post("/messages", data={"body": body, "client_key": KEY})
    assert response.status_code == 422
    assert expected in response.text
    assert 'id="body-error"' in response.text
    if body.strip():
        assert body in response.text  # what was typed is kept
    assert await _count(db, Message) == 0


async def test_guide_opening_a_conversation_is_audited(client, db, settings, frozen_clock, pair):
    guide, youth = pair
    await conversation.send(
        db,
        actor=await user_of(db, youth),
        youth_id=youth.id,
        body="Jeg er syg i dag",
        client_key=KEY,
        now=frozen_clock.now,
    )
    await sign_in(client, db, guide, settings, frozen_clock.now)
    response = await client.get(f"/guide/youth/{youth.id}/messages")
    assert response.status_code == 200
    assert "Jeg er syg i dag" in response.text
    audits = (await db.exec(select(AuditRecord).where(AuditRecord.youth_id == youth.id))).all()
    assert [(a.action, a.via, a.actor_id) for a in audits] == [
        ("messages.view", "caseload", guide.id)
    ]


async def test_guide_cannot_reach_another_guides_young_person_by_id(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    youth_id = youth.id
    other = await make_user(db, Role.guide)
    await sign_in(client, db, other, settings, frozen_clock.now)
    base = f"/guide/youth/{youth_id}/messages"
    assert (await client.get(base)).status_code == 404
    sent = await client.post(base, data={"body": "Hej", "client_key": KEY})
    assert sent.status_code == 404
    assert (await client.post(f"{base}/read", data={"up_to": 10**6})).status_code == 404
    assert (await client.get(f"/messages/events?youth={youth_id}")).status_code == 404
    assert await _count(db, Message) == 0
    assert await _count(db, AuditRecord, AuditRecord.youth_id == youth_id) == 0


async def test_other_roles_cannot_use_the_message_pages(client, db, settings, frozen_clock, pair):
    _guide, youth = pair
    youth_id = youth.id
    for role in (Role.leader, Role.admin):
        person = await make_user(db, role)
        client.cookies.clear()
        await sign_in(client, db, person, settings, frozen_clock.now)
        assert (await client.get(f"/guide/youth/{youth_id}/messages")).status_code == 403
        assert (await client.get("/messages")).status_code == 403
        assert (await client.get("/guide/inbox")).status_code == 403


async def test_covering_colleague_answers_and_the_young_person_sees_who(
    client, db, settings, frozen_clock, pair
):
    guide, youth = pair
    colleague = await make_user(db, Role.guide, name="Mads Kjær")
    now = frozen_clock.now
    await make_cover(
        db,
        absent=guide,
        covering=colleague,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    await sign_in(client, db, colleague, settings, now)
    inbox = await client.get("/guide/inbox")
    assert "Sara Nielsen" in inbox.text
    assert (await client.get(f"/guide/youth/{youth.id}/messages")).status_code == 200
    reply = await client.post(
        f"/guide/youth/{youth.id}/messages",
        data={"body": "Hej Sara, det er Mads", "client_key": KEY},
    )
    assert reply.status_code == 303
    audit = (await db.exec(select(AuditRecord).where(AuditRecord.youth_id == youth.id))).one()
    assert audit.via == "cover"
    client.cookies.clear()
    await sign_in(client, db, await user_of(db, youth), settings, now)
    page = await client.get("/messages")
    assert "Camilla er væk lige nu. Mads Kjær svarer imens." in page.text
    assert "Hej Sara, det er Mads" in page.text


async def test_a_message_notifies_the_absent_young_person_without_its_text(
    client, db, settings, frozen_clock, pair
):
    guide, youth = pair
    # 23:30 in Copenhagen: inside the quiet hours.
    late = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    await conversation.send(
        db, actor=guide, youth_id=youth.id, body="Hemmelig tekst", client_key=KEY, now=late
    )
    rows = (await db.exec(select(Notification).where(Notification.user_id == youth.user_id))).all()
    by_channel = {row.channel: row for row in rows}
    assert set(by_channel) == {None, "sms"}
    seven = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 Copenhagen (winter time)
    assert by_channel[None].not_before == seven
    assert by_channel["sms"].not_before == seven
    message = (await db.exec(select(Message))).one()
    assert json.loads(by_channel["sms"].params)["cancel_if_read_message_id"] == message.id
    assert all("Hemmelig" not in row.params for row in rows)


async def test_a_connected_young_person_gets_no_push_but_still_the_sms_fallback(
    db, frozen_clock, pair
):
    guide, youth = pair
    now = frozen_clock.now
    db.add(RealtimePresence(user_id=youth.user_id, process_key="other-process", seen_at=now))
    await db.flush()
    await conversation.send(db, actor=guide, youth_id=youth.id, body="Hej", client_key=KEY, now=now)
    rows = (await db.exec(select(Notification).where(Notification.user_id == youth.user_id))).all()
    # Half an hour later, and never inside the quiet hours.
    expected = after_quiet_hours(now + timedelta(minutes=30))
    assert [(r.channel, r.not_before) for r in rows] == [("sms", expected)]


async def test_a_young_persons_message_notifies_the_covering_colleague_not_the_absent_guide(
    db, frozen_clock, pair
):
    guide, youth = pair
    colleague = await make_user(db, Role.guide)
    now = frozen_clock.now
    await make_cover(
        db,
        absent=guide,
        covering=colleague,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
    )
    sara = await user_of(db, youth)
    await conversation.send(db, actor=sara, youth_id=youth.id, body="Hej", client_key=KEY, now=now)
    rows = (await db.exec(select(Notification))).all()
    assert [(r.user_id, r.kind, r.channel) for r in rows] == [(colleague.id, "message.new", None)]


async def test_reading_sends_a_receipt_and_clears_the_badge(
    client, db, settings, frozen_clock, pair
):
    guide, youth = pair
    now = frozen_clock.now
    sent = await conversation.send(
        db, actor=guide, youth_id=youth.id, body="Husk mødet", client_key=KEY, now=now
    )
    await sign_in(client, db, await user_of(db, youth), settings, now)
    badge = await client.get("/messages/badge")
    assert '<span class="badge">1' in badge.text
    response = await client.post("/messages/read", data={"up_to": sent.id})
    assert response.status_code == 204
    await db.refresh(sent)
    assert sent.read_at == now
    kinds = (await db.exec(select(MessageEvent.kind).order_by(col(MessageEvent.id)))).all()
    assert kinds == ["message", "read"]
    assert 'class="badge"' not in (await client.get("/messages/badge")).text


async def test_inbox_puts_the_longest_waiting_first_and_flags_a_working_day(
    client, db, settings, frozen_clock, pair
):
    guide, sara = pair
    jonas = await make_youth(db, guide=guide, name="Jonas Berg")
    emma = await make_youth(db, guide=guide, name="Emma Lund")
    now = frozen_clock.now  # Monday 10:00 Copenhagen
    thursday = now - timedelta(days=4)
    await conversation.send(
        db,
        actor=await user_of(db, jonas),
        youth_id=jonas.id,
        body="Hjælp",
        client_key="k-jonas-message-1",
        now=thursday,
    )
    await conversation.send(
        db,
        actor=await user_of(db, sara),
        youth_id=sara.id,
        body="Hej",
        client_key="k-sara-message-1",
        now=now - timedelta(minutes=30),
    )
    await conversation.send(
        db,
        actor=guide,
        youth_id=emma.id,
        body="Godt gået",
        client_key="k-emma-message-1",
        now=now - timedelta(hours=1),
    )
    await sign_in(client, db, guide, settings, now)
    page = (await client.get("/guide/inbox")).text
    assert page.index("Jonas Berg") < page.index("Sara Nielsen") < page.index("Emma Lund")
    assert page.count("Over en arbejdsdag") == 1
    # A list: who and when, never what (reading it is opening the conversation, audited).
    for text in ("Hjælp", "Godt gået"):
        assert text not in page
    assert page.count("Fra den unge") == 2 and page.count("Fra en ungeguide") == 1
    assert await _count(db, AuditRecord) == 0


async def test_leader_sees_overdue_counts_but_never_the_text(client, db, settings, frozen_clock):
    team_guide = await make_user(db, Role.guide, name="Camilla Holm")
    leader = await make_user(db, Role.leader)
    from tests.factories.people import make_team

    team = await make_team(db)
    team_guide.team_id = leader.team_id = team.id
    youth = await make_youth(db, guide=team_guide)
    now = frozen_clock.now
    await conversation.send(
        db,
        actor=await user_of(db, youth),
        youth_id=youth.id,
        body="Meget privat",
        client_key=KEY,
        now=now - timedelta(days=7),
    )
    await sign_in(client, db, leader, settings, now)
    page = await client.get("/leader/unanswered")
    assert page.status_code == 200
    assert "Camilla Holm" in page.text
    assert "Meget privat" not in page.text and youth.user_id
    assert "Kræver opmærksomhed" in page.text


async def test_guide_keeps_snippets_and_cannot_delete_another_guides(
    client, db, settings, frozen_clock, pair
):
    guide, _youth = pair
    other = await make_user(db, Role.guide)
    await sign_in(client, db, guide, settings, frozen_clock.now)
    form = {"title": "Tak", "body": "Tak for din besked. Jeg svarer i dag.", "client_key": KEY}
    assert (await client.post("/guide/snippets", data=form)).status_code == 303
    assert (await client.post("/guide/snippets", data=form)).status_code == 303
    snippet_id = (await db.exec(select(ReplySnippet.id))).one()
    missing = await client.post(
        "/guide/snippets", data={"title": "", "body": "x", "client_key": "k-other-12345678"}
    )
    assert missing.status_code == 422
    assert "Udfyld feltet." in missing.text
    client.cookies.clear()
    await sign_in(client, db, other, settings, frozen_clock.now)
    refused = await client.post(f"/guide/snippets/{snippet_id}/delete")
    assert refused.status_code == 404
    assert "Tak for din besked" not in (await client.get("/guide/snippets")).text
    assert await _count(db, ReplySnippet) == 1


async def test_a_system_line_is_shown_in_the_readers_language(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    await conversation.post_system_line(
        db,
        youth_id=youth.id,
        text_id=conversation.GUIDE_CHANGED,
        params={"name": "Mads"},
        now=frozen_clock.now,
        key="handover-1",
    )
    await conversation.post_system_line(
        db,
        youth_id=youth.id,
        text_id=conversation.GUIDE_CHANGED,
        params={"name": "Mads"},
        now=frozen_clock.now,
        key="handover-1",
    )
    assert await _count(db, Message) == 1
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    page = await client.get("/messages")
    assert "Mads er din ungeguide nu." in page.text


async def test_outside_working_hours_the_young_person_sees_where_to_get_help(
    client, db, settings, frozen_clock, pair
):
    _guide, youth = pair
    frozen_clock.now = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)  # Saturday evening
    await sign_in(client, db, await user_of(db, youth), settings, frozen_clock.now)
    page = (await client.get("/messages")).text
    assert "Haster det?" in page
    assert 'href="tel:112"' in page and "70 201 201" in page
    assert "mandag kl. 08:00" in page
    assert "116 111" not in page  # born 2006: not under 18


async def test_a_long_conversation_shows_the_newest_page_and_earlier_ones_on_request(
    client, db, settings, frozen_clock, pair
):
    guide, youth = pair
    person = await user_of(db, youth)
    start = frozen_clock.now - timedelta(days=3)
    for n in range(conversation.PAGE_SIZE + 5):
        db.add(
            Message(
                youth_id=youth.id,
                sender_id=(person if n % 2 else guide).id,
                body=f"Besked nummer {n:03d}",
                client_key=f"long-{n:03d}",
                sent_at=start + timedelta(minutes=n),
            )
        )
    await db.flush()
    ids = (
        await db.exec(select(Message.id).where(Message.youth_id == youth.id).order_by(Message.id))
    ).all()
    await sign_in(client, db, person, settings, frozen_clock.now)
    newest = (await client.get("/messages")).text
    assert "Besked nummer 104" in newest and "Besked nummer 005" in newest
    assert "Besked nummer 004" not in newest
    assert f"/messages?before={ids[5]}" in newest
    earlier = (await client.get(f"/messages?before={ids[5]}")).text
    assert "Besked nummer 000" in earlier and "Besked nummer 004" in earlier
    assert "Besked nummer 005" not in earlier and "?before=" not in earlier
    # Guide's first names on their messages, none on the young person's own.
    assert f"{guide.first_name} · <time" in earlier
