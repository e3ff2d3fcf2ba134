"""The notices reached from the footer of every layout, at phone and desk size, and the
young person's own data as they read, print and check it."""

from tests.browser.conftest import demo_sign_in

FOOTER_NOTICE = 'footer a[href="/privatliv"]'
FOOTER_STATEMENT = 'footer a[href="/tilgaengelighed"]'


async def test_notices_from_the_sign_in_footer_on_a_phone(phone, live_server, check_page):
    await phone.goto(f"{live_server.url}/login")
    await phone.locator(FOOTER_NOTICE).click()
    await phone.wait_for_url(f"{live_server.url}/privatliv")
    assert await phone.locator("h1").inner_text() == "Privatlivspolitik"
    await check_page(phone, "privacy-notice-phone")
    await phone.locator(FOOTER_STATEMENT).click()
    await phone.wait_for_url(f"{live_server.url}/tilgaengelighed")
    assert await phone.locator("h1").inner_text() == "Tilgængelighedserklæring"
    await check_page(phone, "accessibility-statement-phone")


async def test_notices_in_english_on_a_desk(desktop, live_server, check_page):
    await desktop.goto(f"{live_server.url}/login")
    await desktop.get_by_role("button", name="English").click()
    await desktop.locator('footer a[href="/privacy"]').click()
    await desktop.wait_for_url(f"{live_server.url}/privacy")
    assert await desktop.locator("h1").inner_text() == "Privacy notice"
    await check_page(desktop, "privacy-notice-en-desktop")
    await desktop.locator('footer a[href="/accessibility"]').click()
    assert await desktop.locator("h1").inner_text() == "Accessibility statement"
    await check_page(desktop, "accessibility-statement-en-desktop")


async def test_every_staff_layout_links_to_the_notices(desktop, live_server, check_page):
    for role, page in (("guide", "/"), ("leader", "/reports/key-figures"), ("admin", "/")):
        await demo_sign_in(desktop, live_server, role)
        await desktop.goto(f"{live_server.url}{page}")
        assert await desktop.locator(FOOTER_NOTICE).is_visible()
        assert await desktop.locator(FOOTER_STATEMENT).is_visible()
        await desktop.locator("footer button", has_text="Log ud").click()
        await desktop.wait_for_url(f"{live_server.url}/login**")
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.goto(f"{live_server.url}/admin/settings")
    await desktop.get_by_role("link", name="Privatlivspolitik og tilgængelighedserklæring").click()
    await desktop.get_by_label("Databeskyttelsesrådgiver (DPO): navn og e-mail").fill(
        "Jens Juul, jens.juul@fjordby.example"
    )
    await desktop.get_by_role("button", name="Gem indstillinger").click()
    await desktop.get_by_text("Indstillingerne er gemt.").wait_for()
    await check_page(desktop, "admin-notice-settings-desktop")
    await desktop.goto(f"{live_server.url}/privatliv")
    assert "jens.juul@fjordby.example" in await desktop.locator("main").inner_text()


async def test_young_person_reads_and_prints_their_data(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    assert await phone.locator(FOOTER_NOTICE).is_visible()
    await phone.goto(f"{live_server.url}/me/welcome")
    assert "Din ungeguide er" in await phone.locator("main").inner_text()
    await check_page(phone, "welcome-phone")
    await phone.goto(f"{live_server.url}/me/data")
    await check_page(phone, "my-data-with-short-notice-phone")
    await phone.get_by_role("link", name="Se alle mine data").click()
    await phone.wait_for_url(f"{live_server.url}/me/data/all")
    text = await phone.locator("main").inner_text()
    assert "Din plan" in text and "q1" not in text
    await check_page(phone, "my-whole-record-phone")
    await phone.emulate_media(media="print")
    assert not await phone.locator("footer").is_visible()
    assert not await phone.locator(".tabbar").is_visible()
    await phone.emulate_media(media="screen")
    await phone.goto(f"{live_server.url}/me/audit")
    assert "Du hentede alle dine data" in await phone.locator("main").inner_text()
    await check_page(phone, "who-has-seen-grouped-phone")


async def test_young_person_reads_their_data_on_a_desk(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "youth")
    await desktop.goto(f"{live_server.url}/me/data/all")
    await check_page(desktop, "my-whole-record-desktop")
    await desktop.goto(f"{live_server.url}/me/audit")
    await check_page(desktop, "who-has-seen-grouped-desktop")
