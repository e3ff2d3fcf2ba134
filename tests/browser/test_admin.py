"""The admin's pages as the demo admin uses them: settings, staff, teams, the change log."""

from tests.browser.conftest import demo_sign_in


async def test_admin_changes_a_setting(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.get_by_role("link", name="Indstillinger").first.click()
    await desktop.wait_for_url(f"{live_server.url}/admin/settings")
    await check_page(desktop, "admin-settings-desktop")
    delay = desktop.get_by_label("SMS om en ulæst besked efter (minutter)")
    await delay.fill("2")
    await desktop.get_by_role("button", name="Gem indstillinger").click()
    await desktop.locator("#sms_delay_minutes-error").wait_for()
    assert await delay.get_attribute("aria-invalid") == "true"
    await check_page(desktop, "admin-settings-error-desktop")
    await delay.fill("45")
    await desktop.get_by_role("button", name="Gem indstillinger").click()
    await desktop.get_by_text("Indstillingerne er gemt.").wait_for()
    assert await delay.input_value() == "45"
    await check_page(desktop, "admin-settings-saved-desktop")
    await desktop.goto(f"{live_server.url}/admin/changes")
    assert "45" in await desktop.locator("tbody tr").first.inner_text()
    await check_page(desktop, "admin-changes-desktop")


async def test_admin_adds_and_deactivates_a_staff_member(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.goto(f"{live_server.url}/admin/staff")
    await desktop.get_by_label("Navn").fill("Vikar Vibeke")
    await desktop.get_by_label("Arbejdsmail").fill("vibeke.vikar@fjordby.example")
    await desktop.get_by_label("Rolle").select_option("guide")
    await desktop.get_by_role("button", name="Tilføj").click()
    await desktop.wait_for_url(f"{live_server.url}/admin/staff?added=1")
    await check_page(desktop, "admin-staff-desktop")
    await desktop.get_by_role("link", name="Vikar Vibeke").click()
    await check_page(desktop, "admin-staff-member-desktop")
    await desktop.get_by_role("button", name="Deaktivér").click()
    await desktop.wait_for_url("**/admin/staff/*?deactivated=1")
    assert "Deaktiveret" in await desktop.locator("dl").inner_text()
    await check_page(desktop, "admin-staff-deactivated-desktop")
    await desktop.get_by_role("button", name="Genaktivér").wait_for()


async def test_admin_sees_the_teams_on_a_phone(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "admin")
    await phone.goto(f"{live_server.url}/admin/teams")
    assert await phone.locator("h1").inner_text() == "Teams"
    await phone.get_by_label("Teamets navn").fill("Ungeteam Nord")
    await phone.get_by_role("button", name="Opret").click()
    await phone.locator("#name-error").wait_for()
    await check_page(phone, "admin-teams-phone")


async def test_admin_sees_the_retention_rules_and_finds_a_young_person_to_erase(
    desktop, live_server, check_page
):
    """Nothing is erased here (the demo is shared by the browser tests): the admin sees
    the next run in numbers, is refused while a course is active, and gets to the last
    question for a person created by mistake, then cancels."""
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.get_by_role("link", name="Opbevaring af data").first.click()
    await desktop.wait_for_url(f"{live_server.url}/admin/retention")
    assert "60 måneder" in await desktop.locator("table").inner_text()
    await check_page(desktop, "admin-retention-desktop")
    await desktop.get_by_role("link", name="Slet en ung").last.click()
    await desktop.wait_for_url(f"{live_server.url}/admin/erasure")
    await check_page(desktop, "admin-erasure-desktop")
    address = desktop.get_by_label("Telefonnummer eller e-mail")
    await address.fill("+4520000001")  # a demo young person, in a course
    await desktop.get_by_role("button", name="Find den unge").click()
    await desktop.locator("#reason-error").wait_for()
    assert await address.input_value() == "+4520000001"
    await check_page(desktop, "admin-erasure-refused-desktop")
    await desktop.get_by_label("Hvorfor").select_option("mistake")
    await desktop.get_by_role("button", name="Find den unge").click()
    await desktop.get_by_role("button", name="Slet nu").wait_for()
    await check_page(desktop, "admin-erasure-confirm-desktop")
    await desktop.get_by_role("link", name="Annullér").click()
    await desktop.wait_for_url(f"{live_server.url}/admin/erasure")
