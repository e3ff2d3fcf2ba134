"""The installed app's shell: the service worker caches the hashed static files under a
cache named after their hashes, and shows the offline page without a network."""

from tests.browser.conftest import demo_sign_in


async def test_service_worker_caches_the_hashed_files_the_page_uses(phone, live_server, check_page):
    await demo_sign_in(phone, live_server, "youth")
    await check_page(phone, "youth-home-shell-phone")
    stylesheet = await phone.locator('link[rel="stylesheet"]').first.get_attribute("href")
    assert stylesheet.startswith("/static/css/trinvis.") and stylesheet != "/static/css/trinvis.css"

    await phone.evaluate("navigator.serviceWorker.ready")
    cached = await phone.evaluate(
        """async () => {
            const names = (await caches.keys()).filter((name) => name.startsWith('trinvis-'));
            const urls = [];
            for (const name of names) {
                const cache = await caches.open(name);
                urls.push(...(await cache.keys()).map((request) => new URL(request.url).pathname));
            }
            return {names, urls};
        }"""
    )
    worker = await (await phone.request.get(f"{live_server.url}/sw.js")).text()
    version = worker.split('"version": "')[1].split('"')[0]
    assert cached["names"] == [f"trinvis-{version}"]
    assert stylesheet in cached["urls"]
    assert "/offline" in cached["urls"]

    await phone.context.set_offline(True)
    try:
        await phone.goto(f"{live_server.url}/plan")
        assert "Du er offline" in await phone.locator("main").inner_text()
    finally:
        await phone.context.set_offline(False)
