"""Messages as people use them: a young person on a phone writes, the guide at a desk
sees it arrive without reloading and answers, and the answer arrives on the phone."""

import re

import pytest

from tests.browser.conftest import demo_sign_in


async def _sara_youth_id(desktop, live_server) -> str:
    await desktop.goto(f"{live_server.url}/")
    href = await desktop.get_by_role("link", name="Sara Johansen").first.get_attribute("href")
    return re.search(r"/guide/youth/(\d+)", href).group(1)


@pytest.mark.time_dependent
async def test_message_travels_both_ways_live(browser, phone, desktop, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    await phone.goto(f"{live_server.url}/messages")
    await check_page(phone, "messages-youth-phone")

    await demo_sign_in(desktop, live_server, "guide")
    youth_id = await _sara_youth_id(desktop, live_server)
    await desktop.goto(f"{live_server.url}/guide/youth/{youth_id}/messages")
    await check_page(desktop, "messages-guide-desktop")

    await phone.locator("#f-body").fill("Hej Camilla, kan vi flytte aftalen til fredag?")
    await phone.locator("#composer button[type=submit]").click()
    await phone.locator(".message--mine", has_text="flytte aftalen til fredag").first.wait_for()

    # The guide's open conversation receives it through Server-Sent Events: no reload.
    await desktop.locator(".message--theirs", has_text="flytte aftalen til fredag").wait_for(
        timeout=5000
    )
    await desktop.locator("#f-body").fill("Ja, det kan vi godt. Fredag kl. 10?")
    await desktop.locator("#composer button[type=submit]").click()
    await phone.locator(".message--theirs", has_text="Fredag kl. 10?").wait_for(timeout=5000)
    await check_page(phone, "messages-youth-after-reply-phone")

    await desktop.goto(f"{live_server.url}/guide/inbox")
    await check_page(desktop, "messages-inbox-desktop")

    # The guide's working week, which tells young people when to expect an answer.
    await desktop.get_by_role("link", name="Min arbejdstid").click()
    await desktop.wait_for_url(f"{live_server.url}/guide/working-hours")
    await desktop.get_by_label("Jeg arbejder fredag").uncheck()
    await desktop.get_by_role("button", name="Gem arbejdstid").click()
    await desktop.wait_for_url(f"{live_server.url}/guide/working-hours?saved=1")
    assert not await desktop.get_by_label("Jeg arbejder fredag").is_checked()
    await check_page(desktop, "messages-working-hours-desktop")


async def test_a_message_written_offline_waits_and_is_sent_once_when_back_online(
    browser, live_server, check_page
):
    from sqlalchemy import text

    from app.db import make_engine

    context = await browser.new_context(viewport={"width": 360, "height": 780}, locale="da-DK")
    phone = await context.new_page()
    try:
        await demo_sign_in(phone, live_server, "youth", index=1)
        await phone.goto(f"{live_server.url}/messages")
        body = "Jeg sidder i toget uden net, men vil gerne sige tak for i dag"
        await context.set_offline(True)
        await phone.locator("#f-body").fill(body)
        await phone.locator("#composer button[type=submit]").click()
        waiting = phone.locator(".message--pending", has_text="sidder i toget")
        await waiting.wait_for()
        await context.set_offline(False)
        # axe-core is loaded from the server, so the page is checked once back online.
        await phone.evaluate("window.dispatchEvent(new Event('online'))")
        # Sent on "online", or at the latest by the 15-second retry (when the offline try
        # was still in flight as the connection came back).
        await phone.locator(
            ".message--mine:not(.message--pending)", has_text="sidder i toget"
        ).first.wait_for(timeout=20000)
        await phone.reload()
        await phone.locator(".message--mine", has_text="sidder i toget").first.wait_for()
        await check_page(phone, "messages-after-offline-phone")
        assert await phone.locator(".message--mine", has_text="sidder i toget").count() == 1
    finally:
        await context.close()

    engine = make_engine(live_server.database_url)
    async with engine.connect() as conn:
        stored = (
            await conn.execute(text("SELECT count(*) FROM message WHERE body = :b"), {"b": body})
        ).scalar_one()
    await engine.dispose()
    assert stored == 1


async def _stored(database_url: str, body: str) -> list[int]:
    """The sender ids of the stored messages with this text."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(database_url)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT sender_id FROM message WHERE body = :b"), {"b": body}
        )
        senders = [row[0] for row in rows]
    await engine.dispose()
    return senders


async def test_on_a_shared_phone_a_waiting_message_is_never_sent_as_someone_else(
    browser, live_server, check_page
):
    context = await browser.new_context(viewport={"width": 360, "height": 780}, locale="da-DK")
    phone = await context.new_page()
    body = "Det her skrev jeg på min søsters telefon"
    try:
        # The first young person writes without a connection; the message waits.
        await demo_sign_in(phone, live_server, "youth", index=2)
        first = await phone.locator('meta[name="trinvis-user"]').get_attribute("content")
        await phone.goto(f"{live_server.url}/messages")
        await context.set_offline(True)
        await phone.locator("#f-body").fill(body)
        await phone.locator("#composer button[type=submit]").click()
        await phone.locator(".message--pending", has_text="søsters telefon").wait_for()

        # Their session is gone (say it ran out) before the phone is back online: the
        # retry is refused (401) and the message keeps waiting on the phone.
        await context.clear_cookies()
        await context.set_offline(False)
        await phone.evaluate("window.dispatchEvent(new Event('online'))")
        await phone.wait_for_timeout(500)
        assert await _stored(live_server.database_url, body) == []

        # The sister signs in on the same phone.
        await demo_sign_in(phone, live_server, "youth", index=0)
        await phone.goto(f"{live_server.url}/messages")
        await phone.evaluate("window.dispatchEvent(new Event('online'))")
        await phone.wait_for_timeout(1500)
        assert await _stored(live_server.database_url, body) == []
        assert await phone.locator(".message", has_text="søsters telefon").count() == 0

        # The writer signs in again: their message goes, once, from them.
        await context.clear_cookies()
        await demo_sign_in(phone, live_server, "youth", index=2)
        await phone.goto(f"{live_server.url}/messages")
        await phone.locator(
            ".message--mine:not(.message--pending)", has_text="søsters telefon"
        ).first.wait_for(timeout=10000)
        assert await _stored(live_server.database_url, body) == [int(first)]
    finally:
        await context.close()


async def test_signing_out_asks_about_unsent_messages_and_leaves_nothing_behind(
    browser, live_server, check_page
):
    context = await browser.new_context(viewport={"width": 360, "height": 780}, locale="da-DK")
    phone = await context.new_page()
    try:
        await demo_sign_in(phone, live_server, "youth", index=1)
        await phone.goto(f"{live_server.url}/messages")
        # The server is in trouble: the message is kept waiting on the phone, not dropped.
        await phone.route("**/messages", lambda route: route.fulfill(status=503, body=""))
        await phone.locator("#f-body").fill("Kan vi tale sammen i morgen?")
        await phone.locator("#composer button[type=submit]").click()
        await phone.locator(".message--pending", has_text="tale sammen").wait_for()
        await check_page(phone, "messages-waiting-phone")

        questions: list[str] = []

        async def answer(dialog) -> None:
            questions.append(dialog.message)
            await (dialog.dismiss() if len(questions) == 1 else dialog.accept())

        phone.on("dialog", answer)
        sign_out = phone.get_by_role("button", name="Log ud")
        await sign_out.click()
        await phone.wait_for_timeout(300)
        assert "ikke er sendt" in questions[0]
        assert "/messages" in phone.url, "saying no keeps the person signed in"

        await sign_out.click()
        await phone.wait_for_url(f"{live_server.url}/login")
        kept = await phone.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('trinvis.'))"
        )
        assert kept == []
    finally:
        await context.close()
