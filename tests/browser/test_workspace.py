"""The guide's workspace in a real browser, on a desk and on a phone: the guide finds the
young person with an urgent alert at the top, opens them, acknowledges the alert and
hands them over; the new guide sees the whole history.

Each screen size gets its own freshly loaded demo, so other tests (which may acknowledge
the same alert) cannot change what the guide finds at the top.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, _free_port, demo_sign_in, run_live_server


@pytest.mark.parametrize(
    ("screen", "viewport"),
    [
        # At the time-travel instants on a desk only: the phone run adds nothing time-bound.
        pytest.param("desktop", DESKTOP, marks=pytest.mark.time_dependent),
        ("phone", PHONE),
    ],
)
async def test_guide_finds_the_urgent_one_acknowledges_and_hands_over(
    browser, tmp_path_factory, check_page, screen, viewport
):
    with run_live_server(tmp_path_factory, _free_port(), "127.0.0.1", {}) as server:
        context = await browser.new_context(viewport=viewport, locale="da-DK")
        page = await context.new_page()
        try:
            await _flow(page, server, check_page, screen)
        finally:
            await context.close()


async def _flow(page, server, check_page, screen: str) -> None:
    # Camilla's start page: the one with an urgent alert is at the top.
    await demo_sign_in(page, server, "guide")
    top = page.locator("#caseload-own tbody tr").first
    assert "Akut varsel" in await top.inner_text()
    name = (await top.locator("a").first.inner_text()).strip()
    await check_page(page, f"workspace-caseload-{screen}")
    if screen == "phone":
        # A compact card per young person and a one-row menu (issue 19 #4): the demo's
        # caseload once made a 9,300 px page of 660 px cards under a three-row menu.
        cards = await page.locator("#caseload-own tbody tr").evaluate_all(
            "rows => rows.map(r => r.getBoundingClientRect().height)"
        )
        assert len(cards) >= 10 and max(cards) <= 200, cards
        menu = await page.locator(".site-nav ul").bounding_box()
        link = await page.locator(".site-nav a").first.bounding_box()
        assert menu and link and menu["height"] < 2 * link["height"]
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width  # the menu scrolls within itself, not the page
        assert await top.locator(".caseload__need .pill:visible").count() == 1

    # Search narrows the list (htmx swaps the table).
    await page.get_by_label("Søg på navn").fill(name.split()[0])
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#caseload-own tbody tr").count() >= 1
    assert name in await page.locator("#caseload").inner_text()

    # Open the young person.
    await page.get_by_role("link", name=name).first.click()
    await page.wait_for_url(f"{server.url}/guide/youth/*")
    youth_url = page.url
    assert await page.locator("h1").inner_text() == name
    # The section links are a row of links, without list bullets drawn over them.
    markers = await page.locator("nav.section-links li").evaluate_all(
        "items => items.map(li => getComputedStyle(li).listStyleType)"
    )
    assert markers and set(markers) == {"none"}
    await check_page(page, f"workspace-youth-{screen}")

    # Acknowledge the alert on the check-ins page (the check-ins area's form).
    await page.get_by_role("link", name="Se og kvittér").first.click()
    await page.wait_for_url(f"{youth_url}/checkins*")
    forms = page.locator("form[action$='/acknowledge']")
    await check_page(page, f"workspace-checkins-{screen}")
    while await forms.count():
        form = forms.first
        await form.locator("textarea").fill("Ringede og talte med den unge. Aftale i morgen.")
        await form.get_by_role("button", name="Kvittér").click()
        await page.wait_for_load_state("networkidle")
    await page.goto(youth_url)
    assert "Varsel fra måling" not in await page.locator("main").inner_text()

    # The printable summary.
    await page.get_by_role("link", name="Overdragelsesresumé (udskriv)").click()
    await page.wait_for_url(f"{youth_url}/summary")
    await check_page(page, f"workspace-summary-{screen}")

    # Hand over to Mads with a note.
    await page.goto(youth_url)
    await page.get_by_role("link", name="Overdrag til en kollega").click()
    await page.wait_for_url(f"{youth_url}/handover")
    await page.get_by_label("Ny ungeguide").select_option(label="Mads Kjær")
    await page.get_by_label("Overdragelsesnote").fill("  ")
    await page.get_by_role("button", name="Overdrag", exact=True).click()
    await page.locator(".field-error").first.wait_for()
    assert "Skriv en kort overdragelsesnote" in await page.locator("main").inner_text()
    await check_page(page, f"workspace-handover-errors-{screen}")
    await page.get_by_label("Overdragelsesnote").fill("Svarer bedst på sms om eftermiddagen.")
    await page.get_by_role("button", name="Overdrag", exact=True).click()
    await page.wait_for_url(f"{server.url}/?handed_over=1")
    assert name not in await page.locator("#caseload").inner_text()

    # Mads now has the young person, with the history and the note.
    await page.context.clear_cookies()
    await demo_sign_in(page, server, "guide", index=1)
    assert name in await page.locator("#caseload").inner_text()
    await page.get_by_role("link", name=name).first.click()
    await page.wait_for_url(youth_url)
    history = await page.locator("section", has=page.locator("#guides-heading")).inner_text()
    assert "Camilla Holm" in history and "Svarer bedst på sms om eftermiddagen." in history
    await check_page(page, f"workspace-new-guide-{screen}")


async def test_leader_sees_the_team_and_covers_without_young_peoples_content(
    desktop, live_server, check_page
):
    await demo_sign_in(desktop, live_server, "leader")
    await desktop.get_by_role("link", name="Team").click()
    await desktop.wait_for_url(f"{live_server.url}/leader/team")
    text = await desktop.locator("main").inner_text()
    assert "Camilla Holm" in text and "Aisha Rahimi" in text  # Aisha covers for Mads now
    await check_page(desktop, "workspace-team-desktop")
    await desktop.get_by_role("link", name="Flyt unge fra Mads").click()
    await check_page(desktop, "workspace-bulk-handover-desktop")
