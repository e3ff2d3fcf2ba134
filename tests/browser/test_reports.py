"""A leader reads the key figures on the demo data, changes to the whole municipality,
downloads the CSV (for Danish Excel) and prints the report on A4."""

import csv
import io

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

    # Only whole half-years that have ended can be chosen: the newest is preselected.
    half = page.get_by_label("Halvår", exact=True)
    choices = await half.locator("option").all_inner_texts()
    assert len(choices) == 10 and all("halvår" in choice for choice in choices)
    await page.get_by_label("Unge i", exact=True).select_option("municipality")
    await page.get_by_role("button", name="Vis nøgletal").click()
    await page.wait_for_url("**scope=municipality**")
    head = await page.locator(".report-meta").inner_text()
    assert "Fjordby Kommune" in head
    text = await page.locator("#key-figures").inner_text()
    assert "65 procent af 137" in text  # the reference results beside the figures
    assert "aldrig summerne bag dem" in text  # the footnote on periods and sums
    await check_page(page, "reports-key-figures-municipality")

    # Any other period in the address comes back next to the field.
    await page.goto(f"{live_server.url}/reports/key-figures?half=2099-1&scope=municipality")
    await page.locator("#half-error").wait_for()
    assert await page.get_by_label("Halvår", exact=True).get_attribute("aria-invalid") == "true"
    await check_page(page, "reports-key-figures-invalid")
    await page.go_back()
    await page.wait_for_load_state("networkidle")

    # The CSV link carries the same period.
    href = await page.get_by_role("link", name="Hent CSV").get_attribute("href")
    assert href is not None and "scope=municipality" in href
    export = await page.request.get(f"{live_server.url}{href}")
    assert export.status == 200 and export.headers["content-type"].startswith("text/csv")
    data = await export.body()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 as Danish Excel reads it
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[3][:3] == ["Afsnit", "Nøgletal", "Værdi"]

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
