"""Both ways in, as people do it: staff through the real OIDC provider, a young person
with a code read from the live server's outbox, then with a passkey on Chromium's
virtual authenticator."""

from __future__ import annotations

import json

from sqlalchemy import text

from app.db import make_engine


async def latest_code(database_url: str, phone: str) -> str:
    """The code the live server queued for this phone (the demo outbox)."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT n.params FROM notification n JOIN app_user u ON u.id = n.user_id "
                        "WHERE u.phone = :phone AND n.kind = 'auth.code' ORDER BY n.id DESC"
                    ),
                    {"phone": phone},
                )
            ).first()
    finally:
        await engine.dispose()
    assert row is not None, "no code was queued"
    return str(json.loads(row[0])["code"])


async def test_staff_signs_in_and_out_through_the_municipalitys_idp(
    desktop, oidc_live_server, check_page
):
    server, provider = oidc_live_server
    page = desktop
    await page.goto(f"{server.url}/login")
    await check_page(page, "login-with-staff-sign-in-desktop")
    await page.get_by_role("button", name="Log ind som medarbejder").click()
    await page.wait_for_url(f"{server.url}/")
    assert await page.locator("h1").inner_text() == "Mine unge"
    assert [e["sub"] for e in provider.events() if e["type"] == "login"] == ["camilla"]
    await page.get_by_role("link", name="Mine enheder").click()
    await check_page(page, "staff-devices-desktop")
    await page.locator("footer button", has_text="Log ud").click()
    # The IdP asks to confirm signing out there too, then sends the person back to us.
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(f"{server.url}/login?next=/")
    assert provider.events()[-1]["type"] == "logout"


async def test_young_person_signs_in_with_a_code_then_adds_and_uses_a_passkey(
    phone, oidc_live_server, check_page
):
    server, _provider = oidc_live_server
    page = phone
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    authenticator = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    await page.goto(f"{server.url}/login")
    await page.get_by_label("Dit telefonnummer eller din e-mail").fill("20 00 00 00")
    await page.get_by_role("button", name="Send mig en kode").click()
    await page.wait_for_url(f"{server.url}/login/code")
    await check_page(page, "code-phone")
    await page.get_by_label("Kode").fill(await latest_code(server.database_url, "+4520000000"))
    await page.get_by_role("button", name="Log ind").click()
    await page.wait_for_url(f"{server.url}/")
    assert await page.locator("h1").inner_text() == "Hej Sara"

    await page.goto(f"{server.url}/me/data")
    await check_page(page, "my-data-phone")
    await page.get_by_role("link", name="Hvem har set mine data").click()
    assert await page.locator("h1").inner_text() == "Hvem har set mine data"
    await check_page(page, "who-has-seen-my-data-phone")
    await page.goto(f"{server.url}/me/devices")
    await page.get_by_role("button", name="Tilføj en adgangsnøgle på denne telefon").click()
    await page.wait_for_url(f"{server.url}/me/devices")
    await page.get_by_role("button", name="Fjern").wait_for()
    await check_page(page, "devices-with-passkey-phone")
    stored = await cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]}
    )
    assert len(stored["credentials"]) == 1 and stored["credentials"][0]["isResidentCredential"]

    await page.locator("footer button", has_text="Log ud").click()
    await page.wait_for_url(f"{server.url}/login")
    await page.get_by_role("button", name="Log ind med adgangsnøgle").click()
    await page.wait_for_url(f"{server.url}/")
    assert await page.locator("h1").inner_text() == "Hej Sara"
