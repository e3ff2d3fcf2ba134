"""The installable-app basics: manifest, icons, service worker, offline page."""

import json

from app.paths import STATIC_DIR


async def test_manifest_describes_an_installable_app(client):
    response = await client.get("/manifest.webmanifest")
    assert response.status_code == 200
    manifest = json.loads(response.text)
    assert manifest["lang"] == "da"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert manifest["theme_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "") for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200


async def test_service_worker_is_served_from_the_root_and_caches_the_offline_page(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["service-worker-allowed"] == "/"
    assert "/offline" in response.text


async def test_offline_page_is_public_and_calm(client):
    response = await client.get("/offline")
    assert response.status_code == 200
    assert "Du er offline" in response.text


async def test_every_page_links_manifest_theme_colour_and_touch_icon(client):
    page = (await client.get("/login")).text
    assert 'rel="manifest"' in page
    assert 'name="theme-color"' in page
    assert 'rel="apple-touch-icon"' in page
    assert (STATIC_DIR / "icons" / "apple-touch-icon-180.png").exists()


async def test_no_page_loads_anything_from_a_cdn(client):
    page = (await client.get("/login")).text
    for host in ("unpkg.com", "cdn.jsdelivr", "cdnjs", "googleapis"):
        assert host not in page
