"""Notification pages as people see them: phone settings, the admin list, the demo outbox."""

from tests.browser.conftest import demo_sign_in


async def test_young_person_turns_sms_off_on_a_phone(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    await phone.goto(f"{live_server.url}/me/notifications")
    assert await phone.locator("h1").inner_text() == "Notifikationer"
    await check_page(phone, "notifications-settings-phone")
    sms = phone.locator("#pref-sms")
    if await sms.is_checked():
        await phone.locator("label[for=pref-sms]").click()
    await phone.get_by_role("button", name="Gem").click()
    await phone.wait_for_url(f"{live_server.url}/me/notifications?saved=1")
    assert not await phone.locator("#pref-sms").is_checked()
    await check_page(phone, "notifications-settings-saved-phone")


async def test_admin_sends_a_failed_notification_again(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.goto(f"{live_server.url}/admin/notifications")
    await check_page(desktop, "notifications-failed-desktop")
    rows = desktop.locator("tbody tr")
    before = await rows.count()
    assert before >= 1
    await rows.first.get_by_role("button").click()
    await desktop.wait_for_url(f"{live_server.url}/admin/notifications?retried=1")
    assert await desktop.locator("tbody tr").count() == before - 1
    await check_page(desktop, "notifications-retried-desktop")


async def test_guide_reads_the_demo_outbox(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "guide")
    await phone.goto(f"{live_server.url}/demo/outbox")
    assert await phone.locator("h1").inner_text() == "Demo-udbakke"
    assert await phone.locator("tbody tr").count() > 10
    await check_page(phone, "notifications-demo-outbox-phone")
