"""The young person's path as people use it, in a real Chromium."""

from tests.browser.conftest import demo_sign_in


async def test_young_person_marks_a_step_done_on_a_phone(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    await check_page(phone, "plan-youth-home-phone")
    assert await phone.locator("#next-step-heading").is_visible()
    await phone.locator("nav.tabbar a", has_text="Plan").click()
    await phone.wait_for_url(f"{live_server.url}/plan")
    await check_page(phone, "plan-youth-plan-phone")
    before = await phone.locator("#my-plan .progress-label").inner_text()
    done_button = phone.get_by_role("button", name="Klaret", exact=True)
    card = phone.locator("#my-plan .card", has=done_button).first
    title = await card.locator("h2").inner_text()
    await card.get_by_role("button", name="Klaret", exact=True).click()
    banner = phone.locator("#my-plan .alert-banner")
    await banner.wait_for()
    assert "Godt gået!" in await banner.inner_text()
    assert title in await banner.inner_text()
    after = await phone.locator("#my-plan .progress-label").inner_text()
    assert int(after.split()[0]) == int(before.split()[0]) + 1
    # No page reload: htmx swapped the list in place.
    assert phone.url == f"{live_server.url}/plan"
    await check_page(phone, "plan-youth-step-done-phone")


async def test_guide_reorders_steps_without_a_page_reload(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "guide")
    await desktop.locator("#caseload-own tbody td:first-child a").first.click()
    await desktop.get_by_role("link", name="Åbn planen").click()  # via the young person's page
    await desktop.wait_for_url("**/plan")
    await check_page(desktop, "plan-guide-plan-desktop")
    titles = desktop.locator("#plan-steps .card")
    first = await titles.nth(0).get_attribute("data-step-title")
    second = await titles.nth(1).get_attribute("data-step-title")
    await desktop.evaluate("window.__notReloaded = true")
    await titles.nth(0).locator('button[data-action="move-down"]').click()
    await desktop.wait_for_function(
        "t => document.querySelector('#plan-steps .card').dataset.stepTitle === t", arg=second
    )
    assert await titles.nth(1).get_attribute("data-step-title") == first
    assert await desktop.evaluate("window.__notReloaded === true")
    # Focus stays on the moved step's button for keyboard users.
    await desktop.wait_for_function(
        "() => document.activeElement && document.activeElement.dataset.action === 'move-down'",
        timeout=5000,
    )
    await check_page(desktop, "plan-guide-reordered-desktop")
    await desktop.reload()
    assert await titles.nth(0).get_attribute("data-step-title") == second


async def test_agenda_travels_from_young_person_to_guides_appointment_view(
    browser, live_server, check_page
):
    youth_context = await browser.new_context(
        viewport={"width": 360, "height": 780}, locale="da-DK"
    )
    guide_context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK"
    )
    try:
        phone = await youth_context.new_page()
        await demo_sign_in(phone, live_server, "youth")
        await phone.goto(f"{live_server.url}/appointments")
        await check_page(phone, "plan-youth-appointments-phone")
        wish = "Jeg vil gerne tale om at tage kørekort"
        await phone.locator("#f-text").fill(wish)
        await phone.locator("#agenda button[type=submit]", has_text="Føj til min liste").click()
        await phone.locator("#agenda li", has_text=wish).wait_for()

        desktop = await guide_context.new_page()
        await demo_sign_in(desktop, live_server, "guide")
        sara = desktop.locator("#caseload-own tbody td:first-child a", has_text="Sara")
        await sara.click()
        await desktop.get_by_role("link", name="Åbn planen").click()
        await desktop.wait_for_url("**/plan")
        await desktop.locator("nav a", has_text="Aftaler").click()
        await desktop.wait_for_url("**/appointments")
        agenda = desktop.locator("#next-appointment")
        assert wish in await agenda.inner_text()
        await check_page(desktop, "plan-guide-appointments-desktop")
    finally:
        await youth_context.close()
        await guide_context.close()


async def test_notes_edit_and_move_pages_are_accessible(phone, desktop, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    await phone.goto(f"{live_server.url}/notes")
    await check_page(phone, "plan-youth-notes-phone")
    await phone.locator("details summary").first.click()
    await phone.locator("details button[type=submit]").first.click()
    await phone.wait_for_load_state()
    assert await phone.locator(".field-error").count() == 1  # an empty reply is refused
    await check_page(phone, "plan-youth-notes-error-phone")

    await demo_sign_in(desktop, live_server, "guide")
    await desktop.locator("#caseload-own tbody td:first-child a").nth(1).click()
    await desktop.get_by_role("link", name="Åbn planen").click()
    await desktop.wait_for_url("**/plan")
    plan_url = desktop.url
    await desktop.locator("#plan-steps a", has_text="Redigér").first.click()
    await check_page(desktop, "plan-guide-edit-step-desktop")
    await desktop.goto(plan_url.replace("/plan", "/notes"))
    await check_page(desktop, "plan-guide-notes-desktop")
    await desktop.locator("nav a", has_text="Aftaler").first.click()
    await desktop.wait_for_url("**/appointments")
    await desktop.locator("button", has_text="Opret aftale").click()
    await desktop.wait_for_load_state()
    assert await desktop.locator(".field-error").count() >= 2
    await check_page(desktop, "plan-guide-appointment-errors-desktop")
    move = desktop.locator("#main a", has_text="Flyt").first
    if await move.count():
        await move.click()
        await check_page(desktop, "plan-guide-move-desktop")
