from tests.factories.people import ensure_csrf


async def test_danish_is_the_default_language(client):
    page = await client.get("/login")
    assert '<html lang="da">' in page.text
    assert "Velkommen til Trinvis" in page.text


async def test_switching_to_english_sticks(client):
    await ensure_csrf(client)
    response = await client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    for _ in range(2):
        page = await client.get("/login")
        assert '<html lang="en">' in page.text
        assert "Welcome to Trinvis" in page.text


async def test_unknown_language_is_refused(client):
    await ensure_csrf(client)
    response = await client.post("/language", data={"locale": "xx"})
    assert response.status_code == 404


async def test_language_switch_never_redirects_off_site(client):
    await ensure_csrf(client)
    response = await client.post("/language", data={"locale": "en", "next": "//evil.example"})
    assert response.headers["location"] == "/"
