"""Every unsafe request needs our origin and the CSRF token; a refusal changes nothing."""

from sqlmodel import func, select

from app.models import Role, UserSession
from tests.factories.people import ensure_csrf, make_user


async def _session_count(db):
    return (await db.exec(select(func.count()).select_from(UserSession))).one()


async def test_form_without_token_is_refused_and_changes_nothing(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    del client.headers["X-CSRF-Token"]
    before = await _session_count(db)
    response = await client.post("/demo/sign-in", data={"user_id": user.id})
    assert response.status_code == 403
    assert await _session_count(db) == before


async def test_form_with_wrong_token_is_refused(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    del client.headers["X-CSRF-Token"]
    response = await client.post("/demo/sign-in", data={"user_id": user.id, "csrf_token": "x"})
    assert response.status_code == 403


async def test_form_with_token_field_is_accepted(client, db):
    user = await make_user(db, Role.guide)
    token = await ensure_csrf(client)
    del client.headers["X-CSRF-Token"]
    response = await client.post("/demo/sign-in", data={"user_id": user.id, "csrf_token": token})
    assert response.status_code == 303


async def test_request_from_a_foreign_origin_is_refused_even_with_token(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    response = await client.post(
        "/demo/sign-in", data={"user_id": user.id}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403


async def test_cross_site_fetch_without_origin_is_refused(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    response = await client.post(
        "/demo/sign-in", data={"user_id": user.id}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


async def test_htmx_header_token_is_accepted(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    response = await client.post(
        "/demo/sign-in",
        data={"user_id": user.id},
        headers={"HX-Request": "true", "Origin": "http://127.0.0.1:8000"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"


async def test_origin_null_falls_back_to_sec_fetch_site(client, db):
    user = await make_user(db, Role.guide)
    await ensure_csrf(client)
    refused = await client.post(
        "/demo/sign-in",
        data={"user_id": user.id},
        headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    )
    assert refused.status_code == 403
    accepted = await client.post(
        "/demo/sign-in",
        data={"user_id": user.id},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert accepted.status_code == 303
