"""WHO-5 as a young person answers it: on a 360 px phone, with the keyboard only, through
a reload and a lost connection; and the guide's trend and alerts."""

import re

from sqlalchemy import text

from app.db import make_engine
from tests.browser.conftest import demo_sign_in

DRAFT_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('trinvis.checkin.'))"


async def count_checkins(server, name: str) -> int:
    engine = make_engine(server.database_url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                text(
                    "SELECT count(*) FROM checkin JOIN youth ON youth.id = checkin.youth_id "
                    "JOIN app_user ON app_user.id = youth.user_id WHERE app_user.name LIKE :name "
                    "AND checkin.instrument_code = 'who5'"
                ),
                {"name": f"{name} %"},
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


async def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def checked(page, item: str) -> str | None:
    return await page.evaluate(
        "name => document.querySelector(`input[name='${name}']:checked`)?.value ?? null",
        f"answer-{item}",
    )


async def test_young_person_answers_who5_with_the_keyboard_through_a_reload_and_offline(
    phone, live_server, check_page
):
    before = await count_checkins(live_server, "Sara")
    await demo_sign_in(phone, live_server, "youth")
    await phone.goto(f"{live_server.url}/checkins")
    await check_page(phone, "checkins-overview-phone")
    await phone.goto(f"{live_server.url}/checkins/new/who5")
    progress = phone.locator(".progress-label")
    assert await progress.inner_text() == "Udsagn 1 af 5"
    assert await phone.locator("[data-checkin-step]:visible").count() == 1
    await check_page(phone, "checkin-who5-step-1-phone")

    await tab_to(phone, "input[name='answer-q1']")
    await phone.keyboard.press("ArrowDown")  # "Det meste af tiden" (4)
    await tab_to(phone, "[data-checkin-next]")
    await phone.keyboard.press("Enter")
    assert await progress.inner_text() == "Udsagn 2 af 5"
    await phone.keyboard.press("Space")  # focus is on the first answer: "Hele tiden" (5)
    assert await checked(phone, "q2") == "5"

    # A reload mid-way loses nothing: the answers and the client key stay on the phone.
    client_key = await phone.locator("[data-client-key]").input_value()
    await phone.reload()
    assert await checked(phone, "q1") == "4" and await checked(phone, "q2") == "5"
    assert await phone.locator("[data-client-key]").input_value() == client_key
    assert await progress.inner_text() == "Udsagn 3 af 5"

    await tab_to(phone, "input[name='answer-q3']")
    for key, presses in (("q3", 2), ("q4", 3), ("q5", 1)):
        if key != "q3":
            await tab_to(phone, "[data-checkin-next]")
            await phone.keyboard.press("Enter")
        for _ in range(presses):
            await phone.keyboard.press("ArrowDown")
    assert [await checked(phone, f"q{i}") for i in range(1, 6)] == ["4", "5", "3", "2", "4"]
    await check_page(phone, "checkin-who5-last-step-phone")

    # The connection drops before "Send": nothing is lost and nothing is sent twice.
    await phone.context.set_offline(True)
    await tab_to(phone, "[data-checkin-send]")
    await phone.keyboard.press("Enter")
    await phone.keyboard.press("Enter")
    status = phone.locator("[data-checkin-status]")
    await status.filter(has_text="Du er offline").wait_for()
    assert await count_checkins(live_server, "Sara") == before
    assert len(await phone.evaluate(DRAFT_KEYS)) == 1

    await phone.context.set_offline(False)
    await phone.wait_for_url(re.compile(r".*/checkins/\d+$"), timeout=20_000)
    assert await phone.locator(".checkin-score strong").inner_text() == "72"  # (4+5+3+2+4) × 4
    assert await phone.locator("a[href^='tel:']").count() == 0  # no alarm at a good score
    assert await phone.evaluate(DRAFT_KEYS) == []
    await check_page(phone, "checkin-who5-result-phone")
    assert await count_checkins(live_server, "Sara") == before + 1


async def test_without_javascript_the_form_is_one_page_that_still_works(
    browser, live_server, check_page
):
    context = await browser.new_context(
        viewport={"width": 360, "height": 780}, locale="da-DK", java_script_enabled=False
    )
    page = await context.new_page()
    try:
        await page.goto(f"{live_server.url}/login")
        await page.locator('button[data-role="youth"]').nth(1).click()
        await page.wait_for_url(f"{live_server.url}/")
        before = await count_checkins(live_server, "Mikkel")
        await page.goto(f"{live_server.url}/checkins/new/who5")
        assert await page.locator("fieldset.answer-scale:visible").count() == 5
        for item in ("q1", "q2", "q3", "q4"):
            await page.locator(f"input[name='answer-{item}'][value='1']").check()
        await page.get_by_role("button", name="Send").click()
        await page.locator("#answer-q5-error").wait_for()
        assert await page.locator("input[name='answer-q1'][value='1']").is_checked()
        # axe-core needs scripting, so this page is only photographed.
        await page.screenshot(
            path=".artifacts/screenshots/checkin-who5-missing-answer-nojs-phone.png", full_page=True
        )
        await page.locator("input[name='answer-q5'][value='1']").check()
        await page.get_by_role("button", name="Send").click()
        await page.wait_for_url(re.compile(r".*/checkins/\d+$"))
        assert await page.locator(".checkin-score strong").inner_text() == "20"
        # At or below 28: where to get help now is the first thing on the screen, above
        # the fold of a 360 × 780 phone, as numbers the phone can call (issue 19 #20).
        help_now = page.get_by_role("heading", name="Du behøver ikke stå alene med det")
        box = await help_now.bounding_box()
        assert box and box["y"] + box["height"] < 780
        call = page.locator("a[href^='tel:']").first
        call_box = await call.bounding_box()
        assert call_box and call_box["y"] + call_box["height"] < 780
        assert await page.get_by_role("link", name="Skriv til min ungeguide").is_visible()
        assert await count_checkins(live_server, "Mikkel") == before + 1
    finally:
        await context.close()


async def test_guide_sees_alerts_first_follows_the_trend_and_acknowledges(
    desktop, live_server, check_page
):
    await demo_sign_in(desktop, live_server, "guide")
    await desktop.goto(f"{live_server.url}/guide/checkins")
    await check_page(desktop, "checkins-guide-caseload-desktop")
    first_row = desktop.locator("tbody tr").first
    assert await first_row.locator(".badge").count() == 1  # open alerts come first
    urgent = desktop.locator("tbody tr", has=desktop.locator(".pill--danger")).first
    await urgent.get_by_role("link").click()
    await desktop.wait_for_url(re.compile(r".*/guide/youth/\d+/checkins$"))
    assert await desktop.locator("svg.trend").count() == 2
    await check_page(desktop, "checkins-guide-youth-desktop")

    open_before = await desktop.locator("#alerts-heading ~ article").count()
    assert open_before >= 1
    alert = desktop.locator("#alerts-heading ~ article").first
    await alert.get_by_role("button", name="Kvittér").click()
    await desktop.locator(".field-error").first.wait_for()
    await check_page(desktop, "checkins-guide-ack-error-desktop")
    alert = desktop.locator("#alerts-heading ~ article").first
    await alert.locator("textarea").fill("Ringet op. Vi ses i morgen kl. 10.")
    await alert.get_by_role("button", name="Kvittér").click()
    await desktop.wait_for_load_state("networkidle")
    assert await desktop.locator("#alerts-heading ~ article").count() == open_before - 1
