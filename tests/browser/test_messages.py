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
