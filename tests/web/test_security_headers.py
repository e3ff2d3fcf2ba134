async def test_pages_carry_security_headers_and_are_never_cached(client):
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # plain http in tests


async def test_errors_are_pages_for_people_not_traces(client):
    response = await client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Vi kunne ikke finde siden." in response.text
    assert "Traceback" not in response.text


async def test_htmx_errors_become_a_toast(client):
    response = await client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#toasts"
    assert 'class="toast toast--error"' in response.text
