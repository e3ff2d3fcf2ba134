"""A leader reads the key figures on the demo data, changes the period to the whole
municipality over the last year, downloads the CSV and prints the report on A4."""

from datetime import timedelta

from app.clock import copenhagen_today
from tests.browser.conftest import demo_sign_in


async def test_leader_reads_key_figures_changes_the_period_and_prints(
    desktop, live_server, check_page, artifacts_dir
):
    page = desktop
    await demo_sign_in(page, live_server, "leader")
    await page.get_by_role("link", name="Nøgletal", exact=True).click()
    await page.wait_for_url(f"{live_server.url}/reports/key-figures")
    assert await page.locator("h1").inner_text() == "Nøgletal"
    assert await page.locator("svg.report-chart").count() >= 3
    await check_page(page, "reports-key-figures-team")

    # The whole municipality over the last year: a date range of the leader's choosing.
    today = copenhagen_today()  # the live server's clock is this process's
    await page.get_by_label("Fra", exact=True).fill((today - timedelta(days=365)).isoformat())
    await page.get_by_label("Til", exact=True).fill(today.isoformat())
    await page.get_by_label("Unge i", exact=True).select_option("municipality")
    await page.get_by_role("button", name="Vis nøgletal").click()
    await page.wait_for_url("**scope=municipality**")
    head = await page.locator(".report-meta").inner_text()
    assert "Fjordby Kommune" in head
    table = page.locator("table.report-table").first
    total = table.locator("tr.report-total td").first
    assert (await total.inner_text()).strip() == "40"  # every demo young person
    text = await page.locator("#key-figures").inner_text()
    assert "<5" in text  # the few course ends of the demo are suppressed
    assert "65 procent af 137" in text  # the reference results beside the figures
    await check_page(page, "reports-key-figures-municipality")

    # A wrong period comes back next to the field, with what was typed kept.
    await page.get_by_label("Til", exact=True).fill((today - timedelta(days=400)).isoformat())
    await page.get_by_role("button", name="Vis nøgletal").click()
    await page.locator("#to-error").wait_for()
    assert await page.get_by_label("Til", exact=True).get_attribute("aria-invalid") == "true"
    await check_page(page, "reports-key-figures-invalid")
    await page.go_back()
    await page.wait_for_load_state("networkidle")

    # The CSV link carries the same period.
    href = await page.get_by_role("link", name="Hent CSV").get_attribute("href")
    assert href is not None and "scope=municipality" in href
    export = await page.request.get(f"{live_server.url}{href}")
    assert export.status == 200 and export.headers["content-type"].startswith("text/csv")
    assert "positive_destination" in await export.text()

    # Printed: no menu and no form, on A4 (794 px is A4's width at 96 dpi).
    await page.emulate_media(media="print")
    await page.set_viewport_size({"width": 794, "height": 1123})
    await check_page(page, "reports-key-figures-print")
    assert not await page.locator("nav.site-nav").is_visible()
    assert not await page.locator("form.period-form").is_visible()
    assert await page.locator("#def-positive_destination").is_visible()
    pdf = await page.pdf(format="A4", print_background=False)
    (artifacts_dir / "reports-key-figures.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
