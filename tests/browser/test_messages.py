"""Messages as people use them: a young person on a phone writes, the guide at a desk
sees it arrive without reloading and answers, and the answer arrives on the phone."""

import re

from tests.browser.conftest import demo_sign_in


async def _sara_youth_id(desktop, live_server) -> str:
    await desktop.goto(f"{live_server.url}/")
    href = await desktop.get_by_role("link", name="Sara Johansen").first.get_attribute("href")
    return re.search(r"/guide/youth/(\d+)", href).group(1)


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
        await phone.locator(
            ".message--mine:not(.message--pending)", has_text="sidder i toget"
        ).first.wait_for(timeout=10000)
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
