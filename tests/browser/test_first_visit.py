"""The walking skeleton, as a person sees it."""

import pytest

from tests.browser.conftest import demo_sign_in


@pytest.mark.time_dependent
async def test_young_person_signs_in_with_the_demo_and_sees_the_home_page(
    phone, live_server, check_page
):
    await phone.goto(f"{live_server.url}/login")
    await check_page(phone, "login-phone")
    await demo_sign_in(phone, live_server, "youth")
    assert await phone.locator("h1").inner_text() == "Hej Sara"
    await check_page(phone, "youth-home-phone")


@pytest.mark.time_dependent
async def test_each_staff_role_lands_on_its_start_page(desktop, live_server, check_page):
    for role, heading in (
        ("guide", "Mine unge"),
        ("leader", "Sagsstammer"),
        ("admin", "Medarbejdere"),
    ):
        await demo_sign_in(desktop, live_server, role)
        assert await desktop.locator("h1").inner_text() == heading
        await check_page(desktop, f"{role}-home-desktop")
        await desktop.locator("footer button", has_text="Log ud").click()
        await desktop.wait_for_url(f"{live_server.url}/login")


async def test_language_choice_sticks_across_pages(phone, live_server, check_page):
    await phone.goto(f"{live_server.url}/login")
    await phone.locator("form.lang-switch button", has_text="English").click()
    await phone.wait_for_url(f"{live_server.url}/login")
    assert await phone.locator("h1").inner_text() == "Welcome to Trinvis"
    await demo_sign_in(phone, live_server, "youth")
    assert await phone.locator("h1").inner_text() == "Hi Sara"
    await check_page(phone, "youth-home-phone-en")
