"""The admin connects an IdP on a desktop: the token shown once, a group mapping, and
the page passes axe-core (WCAG 2.1 AA) in each state."""

from tests.browser.conftest import demo_sign_in


async def test_admin_connects_an_idp_and_maps_a_group(desktop, live_server, check_page):
    await demo_sign_in(desktop, live_server, "admin")
    await desktop.get_by_role("link", name="IdP (SCIM)").first.click()
    await desktop.wait_for_url(f"{live_server.url}/admin/scim")
    await check_page(desktop, "scim-admin-empty-desktop")
    await desktop.get_by_label("Forbindelsens navn").fill("Entra ID")
    await desktop.get_by_role("button", name="Opret og vis nøglen").click()
    token = await desktop.locator("code.secret").inner_text()
    assert token.startswith("scim_")
    await check_page(desktop, "scim-admin-token-desktop")
    await desktop.get_by_label("IdP-gruppe (visningsnavn)").fill("Trinvis-ledere")
    await desktop.get_by_role("button", name="Tilføj kobling").click()
    await desktop.locator("#role-error").wait_for()
    await check_page(desktop, "scim-admin-mapping-error-desktop")
    await desktop.locator("#f-role").select_option("leader")
    await desktop.get_by_role("button", name="Tilføj kobling").click()
    await desktop.wait_for_url(f"{live_server.url}/admin/scim?mapped=1")
    assert "trinvis-ledere" in await desktop.locator("table").inner_text()
    assert token not in await desktop.content()
    await check_page(desktop, "scim-admin-mapped-desktop")
