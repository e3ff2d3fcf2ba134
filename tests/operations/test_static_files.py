"""Static files: hashed names cached for good, brotli and gzip, only what browsers need,
and a service worker whose cache follows the hashes (issue 17, issue 21 item 10)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from app.paths import STATIC_DIR
from app.web.static_assets import build, static_url
from app.web.templating import TEMPLATE_DIR


async def test_pages_reference_hashed_names_served_immutable_and_compressed(client):
    page = (await client.get("/login")).text
    css = static_url("css/trinvis.css")
    assert re.fullmatch(r"/static/css/trinvis\.[0-9a-f]{12}\.css", css)
    assert f'href="{css}"' in page
    assert f'src="{static_url("js/trinvis.js")}"' in page

    as_brotli = await client.get(css, headers={"Accept-Encoding": "br, gzip"})
    assert as_brotli.status_code == 200
    assert as_brotli.headers["content-encoding"] == "br"
    assert "immutable" in as_brotli.headers["cache-control"]
    assert "accept-encoding" in as_brotli.headers["vary"].lower()
    plain = (STATIC_DIR / "css" / "trinvis.css").read_bytes()
    assert as_brotli.content == plain  # httpx decodes brotli
    assert int(as_brotli.headers["content-length"]) < len(plain) / 3

    as_gzip = await client.get(css, headers={"Accept-Encoding": "gzip"})
    assert as_gzip.headers["content-encoding"] == "gzip"
    assert as_gzip.content == plain  # httpx decodes gzip

    # The plain name still answers (a page cached before a release), but not for good.
    old_name = await client.get("/static/css/trinvis.css")
    assert old_name.status_code == 200
    assert "immutable" not in old_name.headers["cache-control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/refresh.sh",
        "/static/css/check_contrast.py",
        "/static/icons/make_icons.py",
        "/static/vendor/VENDOR.md",
        "/static/vendor/SHA256SUMS",
        "/static/sw.js",
    ],
)
async def test_developer_files_are_not_served(client, path):
    assert (await client.get(path)).status_code == 404


def test_templates_name_static_files_only_through_the_helper():
    literal = re.compile(r"""["']/static/""")
    offenders = [
        str(path.relative_to(TEMPLATE_DIR))
        for path in TEMPLATE_DIR.rglob("*.html")
        if literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


async def test_service_worker_precaches_the_hashed_names_pages_use(client):
    worker = (await client.get("/sw.js")).text
    for name in ("css/trinvis.css", "js/trinvis.js", "js/sw-push.js"):
        assert f'"{static_url(name)[len("/static/") :]}"' in worker
    assert "const BUILD = { version: 'unbuilt'" not in worker
    version = re.search(r'"version": "([0-9a-f]{12})"', worker)
    assert version is not None


def _small_source(tmp_path: Path) -> Path:
    """static/ without the big test-only vendor file, to build quickly."""
    source = tmp_path / "static"
    shutil.copytree(STATIC_DIR, source, ignore=shutil.ignore_patterns("axe-core-*"))
    return source


def _cache_name(worker: Path) -> str:
    found = re.search(r'"version": "([0-9a-f]{12})"', worker.read_text(encoding="utf-8"))
    assert found is not None
    return "trinvis-" + found.group(1)


def test_changing_a_script_changes_its_url_and_the_service_worker_cache(tmp_path):
    source = _small_source(tmp_path)
    before = build(source, tmp_path / "builds")
    script = source / "js" / "trinvis.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n// a release\n", encoding="utf-8")
    after = build(source, tmp_path / "builds")

    assert after.url("js/trinvis.js") != before.url("js/trinvis.js")
    assert after.url("css/trinvis.css") == before.url("css/trinvis.css")
    assert _cache_name(after.service_worker) != _cache_name(before.service_worker)
    assert after.paths["js/trinvis.js"] in after.service_worker.read_text(encoding="utf-8")
    assert (after.directory / after.paths["js/trinvis.js"]).read_text().endswith("a release\n")
    # An unchanged tree reuses its build instead of making another.
    assert build(source, tmp_path / "builds").directory == after.directory
