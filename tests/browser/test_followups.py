"""A young person says it is hard; the guide sees the flag and records the call."""

import pytest

from tests.browser.conftest import demo_sign_in


@pytest.mark.time_dependent
async def test_young_person_answers_hard_and_the_guide_records_a_call(
    phone, desktop, live_server, check_page
):
    await demo_sign_in(phone, live_server, "youth")
    await phone.goto(f"{live_server.url}/followups")
    heading = phone.locator("section.card h2")
    assert await heading.inner_text() == "Hvordan går det på SOSU-skolen Fjordby?"
    await check_page(phone, "followup-question-phone")
    await phone.get_by_label("Vil du skrive et par ord?").fill("Jeg har svært ved at følge med.")
    await phone.get_by_role("button", name="Svært", exact=True).click()
    await phone.locator("h2", has_text="Tak for dit svar").wait_for()
    assert phone.url.startswith(f"{live_server.url}/followups/")
    # The answered page replaces the page: one main landmark, not one inside another.
    assert await phone.locator("main").count() == 1
    assert await phone.locator("#main").count() == 1
    await check_page(phone, "followup-answered-phone")

    await demo_sign_in(desktop, live_server, "guide")
    await desktop.get_by_role("link", name="Opkald").click()
    await desktop.wait_for_url(f"{live_server.url}/guide/calls")
    row = desktop.locator("tr", has=desktop.get_by_role("link", name="Sara", exact=False))
    assert await row.locator('[data-flag="answer"]').count() == 1
    assert "Jeg har svært ved at følge med." in await row.inner_text()
    await check_page(desktop, "followup-calls-desktop")
    await row.get_by_label("Opkald").select_option("reached")
    await row.get_by_label("Risikovurdering").select_option("challenged")
    await row.get_by_role("button", name="Gem opkald").click()
    await desktop.wait_for_load_state("networkidle")
    assert await desktop.locator('tr:has-text("Sara") [data-flag="answer"]').count() == 0
    await check_page(desktop, "followup-calls-after-call-desktop")


async def test_guide_opens_a_young_persons_follow_ups_on_a_phone(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "guide")
    await phone.goto(f"{live_server.url}/guide/calls")
    await check_page(phone, "followup-calls-phone")
    await phone.locator("table a").first.click()
    await phone.wait_for_url(f"{live_server.url}/guide/youth/*/followups")
    assert (await phone.locator("h1").inner_text()).startswith("Eftervend: ")
    await check_page(phone, "followup-youth-phone")
