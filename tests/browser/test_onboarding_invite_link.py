"""Onboarding as people do it in Chromium: the guide gives the invitation link in person
(copied, or read from the field without JavaScript), and the admin imports a file and
invites everyone in bulk."""

from __future__ import annotations

import re

from tests.browser.conftest import demo_sign_in
from tests.factories.onboarding import excel_csv, youth_rows

LINK = re.compile(r"^http://127\.0\.0\.1:\d+/invite/[A-Za-z0-9_-]{40,}$")


async def _invite(page, server, *, name: str, phone: str) -> str:
    await demo_sign_in(page, server, "guide")
    await page.goto(f"{server.url}/guide/invite")
    await page.get_by_label("Navn").fill(name)
    await page.get_by_label("Fødselsdato").fill("2007-04-02")
    await page.get_by_label("Mobilnummer").fill(phone)
    await page.get_by_role("button", name="Send invitation").click()
    await page.wait_for_url("**/guide/invite/sent?key=*")
    field = page.get_by_label("Invitationslinket")
    assert await field.get_attribute("readonly") is not None
    link = await field.input_value()
    assert LINK.match(link), link
    return link


async def test_the_guide_copies_the_link_and_it_signs_the_young_person_in(
    browser, phone, live_server, check_page
):
    await phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    link = await _invite(phone, live_server, name="Maja Kirkegaard", phone="21 43 65 87")
    await check_page(phone, "onboarding-invite-sent-phone")
    await phone.get_by_role("button", name="Kopiér link").click()
    await phone.get_by_text("Kopieret").wait_for()
    assert await phone.evaluate("navigator.clipboard.readText()") == link

    # The young person opens it on their own phone.
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="da-DK")
    own_phone = await context.new_page()
    await own_phone.goto(link)
    await own_phone.get_by_text("Hej Maja").wait_for()
    await own_phone.get_by_role("button", name="Kom i gang").click()
    await own_phone.wait_for_url("**/me/welcome")
    await context.close()


async def test_without_javascript_the_link_is_in_a_readonly_field(browser, live_server):
    context = await browser.new_context(java_script_enabled=False, locale="da-DK")
    page = await context.new_page()
    link = await _invite(page, live_server, name="Omar Nielsen", phone="21 43 65 88")
    assert "/invite/" in link
    await context.close()


async def test_the_admin_imports_a_file_and_invites_everyone(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.get_by_role("link", name="Importér unge").first.click()
    await check_page(desktop, "onboarding-import-desktop")
    rows = youth_rows(4, guide_email="camilla.holm@fjordby.example", start=900)
    rows[3][3] = "31.02.2006"
    content = excel_csv(rows, encoding="cp1252")
    await desktop.get_by_label("Filen (CSV)").set_input_files(
        {"name": "unge.csv", "mimeType": "text/csv", "buffer": content}
    )
    await desktop.get_by_role("button", name="Vis, hvad der vil ske").click()
    await desktop.get_by_text("Intet er gemt endnu.").wait_for()
    await check_page(desktop, "onboarding-import-preview-desktop")
    await desktop.get_by_role("button", name="Importér rækkerne").click()
    await desktop.get_by_text("Importen er færdig.").wait_for()
    assert "Ny: 3" in await desktop.locator("#import-state").inner_text()
    await check_page(desktop, "onboarding-import-done-desktop")
    await desktop.get_by_role("link", name="Invitér de unge").click()
    await desktop.get_by_role("button", name="Invitér dem nu").click()
    await desktop.get_by_text(re.compile(r"Inviteret nu: \d+\.")).wait_for()
    await check_page(desktop, "onboarding-invites-desktop")
