"""Staff sign in through OpenID Connect against the real local provider (no HTTP mocks).

The app runs in-process (httpx ASGITransport); the provider is a real `oidc-provider`
Node process, and a real proxy in front of it forges ID tokens for the negative cases.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlmodel import select

from app.models import OidcSessionLink, Role, UserSession
from app.security.sessions import cookie_name
from tests.conftest import BASE_URL
from tests.factories.people import ensure_csrf, make_user, sign_in
from tests.peers.fixtures import (
    OIDC_ACCOUNTS,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_REDIRECT_URIS,
)
from tests.peers.oidc_provider import OidcProvider, authorize_headless, submit_form

CALLBACK = f"{BASE_URL}/auth/oidc/callback"


def configure(settings, issuer: str) -> None:
    settings.oidc_issuer = issuer
    settings.oidc_client_id = OIDC_CLIENT_ID
    settings.oidc_client_secret = OIDC_CLIENT_SECRET


@pytest.fixture(autouse=True)
def real_time(frozen_clock):
    # ID tokens carry the provider's real clock; the app must agree on "now".
    frozen_clock.now = datetime.now(UTC)  # outside clock: the provider's


@pytest.fixture
async def idp_browser() -> AsyncIterator[httpx.AsyncClient]:
    """The person's browser as the IdP sees it (keeps the IdP's cookies)."""
    async with httpx.AsyncClient() as browser:
        yield browser


async def start(client: httpx.AsyncClient) -> str:
    await ensure_csrf(client)
    response = await client.post("/auth/oidc/start", data={"next": "/"})
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def sign_in_at_idp(client, idp_browser) -> httpx.Response:
    url = await start(client)
    callback = await authorize_headless(idp_browser, url, CALLBACK)
    return await client.get(callback)


def signed_in(client, settings) -> bool:
    return cookie_name(settings) in client.cookies


async def test_login_page_offers_staff_sign_in_only_when_configured(
    client, settings, oidc_provider
):
    page = (await client.get("/login")).text
    assert 'data-sign-in="staff"' not in page
    await ensure_csrf(client)
    assert (await client.post("/auth/oidc/start")).status_code == 404
    configure(settings, oidc_provider.issuer)
    page = (await client.get("/login")).text
    assert "Log ind som medarbejder" in page


async def test_invited_guide_signs_in_and_the_first_sign_in_binds_the_sub(
    client, db, settings, oidc_provider, idp_browser
):
    configure(settings, oidc_provider.issuer)
    guide = await make_user(db, Role.guide, email="Anna@Guide.test", name="Anna Guide")
    oidc_provider.login_as("guide-anna")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert home.status_code == 200 and "Mine unge" in home.text
    await db.refresh(guide)
    assert guide.oidc_sub == "guide-anna"
    session = (await db.exec(select(UserSession).where(UserSession.user_id == guide.id))).one()
    assert session.idle_timeout_seconds == 30 * 60  # a staff session
    assert await db.get(OidcSessionLink, session.id) is not None


async def test_a_person_nobody_invited_gets_a_clear_page_and_no_session(
    client, db, settings, oidc_provider, idp_browser
):
    configure(settings, oidc_provider.issuer)
    oidc_provider.login_as("admin-cai")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 403
    assert "ikke blevet inviteret" in response.text
    assert not signed_in(client, settings)
    assert (await db.exec(select(UserSession))).first() is None


async def test_a_young_persons_e_mail_does_not_make_a_staff_account(
    client, db, settings, oidc_provider, idp_browser
):
    configure(settings, oidc_provider.issuer)
    await make_user(db, Role.youth, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 403
    assert not signed_in(client, settings)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_wrong_state_is_refused(client, db, settings, oidc_provider, idp_browser):
    configure(settings, oidc_provider.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    callback = await authorize_headless(idp_browser, await start(client), CALLBACK)
    response = await client.get(with_query(callback, state="forged-state"))
    assert response.status_code == 400
    assert not signed_in(client, settings)


async def test_a_callback_from_another_browser_is_refused(
    client, app, db, settings, oidc_provider, idp_browser
):
    """Login CSRF: an attacker's callback URL opened in the victim's browser does nothing."""
    configure(settings, oidc_provider.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    callback = await authorize_headless(idp_browser, await start(client), CALLBACK)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as victim:
        response = await victim.get(callback)
        assert response.status_code == 400
        assert cookie_name(settings) not in victim.cookies


async def test_a_callback_cannot_be_replayed(client, db, settings, oidc_provider, idp_browser):
    configure(settings, oidc_provider.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    url = await start(client)
    flow_cookie = client.cookies["trinvis_oidc"]
    callback = await authorize_headless(idp_browser, url, CALLBACK)
    assert (await client.get(callback)).status_code == 303
    client.cookies.clear()
    client.cookies.set("trinvis_oidc", flow_cookie)
    assert (await client.get(callback)).status_code == 400
    assert not signed_in(client, settings)


async def test_cancelled_sign_in_at_the_idp_is_refused(
    client, settings, oidc_provider, idp_browser
):
    configure(settings, oidc_provider.issuer)
    oidc_provider.deny_logins()
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 400
    assert not signed_in(client, settings)


@pytest.mark.parametrize(
    "mode",
    [
        "alg_none",
        "expired_resigned",
        "wrong_nonce",
        "wrong_issuer",
        "wrong_audience",
        "bad_signature",
        "unknown_key",
    ],
)
async def test_a_forged_id_token_is_refused(
    client, db, settings, oidc_tamper_proxy, idp_browser, mode
):
    configure(settings, oidc_tamper_proxy.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    oidc_tamper_proxy.mode = mode
    response = await sign_in_at_idp(client, idp_browser)
    assert [t["mode"] for t in oidc_tamper_proxy.tampered] == [mode]
    assert response.status_code == 400, response.text
    assert not signed_in(client, settings)
    assert (await db.exec(select(UserSession))).first() is None


async def test_the_tamper_proxy_passes_a_good_token_so_the_refusals_are_real(
    client, db, settings, oidc_tamper_proxy, idp_browser
):
    configure(settings, oidc_tamper_proxy.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 303
    assert signed_in(client, settings)


async def test_an_id_token_the_provider_let_expire_is_refused(
    client, db, settings, oidc_provider_factory, idp_browser, frozen_clock
):
    short: OidcProvider = oidc_provider_factory(id_token_ttl=1)
    configure(settings, short.issuer)
    await make_user(db, Role.guide, email="anna@guide.test")
    url = await start(client)
    callback = await authorize_headless(idp_browser, url, CALLBACK)
    # The app checks expiry against its own clock: two minutes later (beyond the skew).
    frozen_clock.now = datetime.fromtimestamp(frozen_clock.now.timestamp() + 120, UTC)
    response = await client.get(callback)
    assert response.status_code == 400
    assert not signed_in(client, settings)


async def test_sign_out_ends_the_session_and_signs_out_at_the_idp(
    client, db, settings, oidc_provider, idp_browser
):
    configure(settings, oidc_provider.issuer)
    guide = await make_user(db, Role.guide, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    assert (await sign_in_at_idp(client, idp_browser)).status_code == 303
    response = await client.post("/logout")
    assert response.status_code == 303
    end_session = response.headers["location"]
    assert end_session.startswith(oidc_provider.issuer)
    query = parse_qs(urlsplit(end_session).query)
    assert query["post_logout_redirect_uri"] == [f"{BASE_URL}/"]
    assert "id_token_hint" in query
    session = (await db.exec(select(UserSession).where(UserSession.user_id == guide.id))).one()
    assert session.ended_at is not None
    assert await db.get(OidcSessionLink, session.id) is None
    page = await idp_browser.get(end_session)
    done = await submit_form(idp_browser, page)
    assert done.headers["location"] == f"{BASE_URL}/"
    assert oidc_provider.events()[-1]["type"] == "logout"
    assert (await client.get("/", headers={"Accept": "text/html"})).status_code == 303


@pytest.fixture(scope="module")
def userinfo_only_provider() -> Iterator[OidcProvider]:
    """The provider as it comes out of the box: e-mail only from the userinfo endpoint."""
    with OidcProvider(
        accounts=OIDC_ACCOUNTS,
        client_id=OIDC_CLIENT_ID,
        client_secret=OIDC_CLIENT_SECRET,
        redirect_uris=OIDC_REDIRECT_URIS,
        claims_in_userinfo_only=True,
    ) as provider:
        yield provider


def id_token_claims(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def test_the_e_mail_comes_from_userinfo_when_the_id_token_has_none(
    client, db, settings, userinfo_only_provider, idp_browser
):
    configure(settings, userinfo_only_provider.issuer)
    guide = await make_user(db, Role.guide, email="anna@guide.test")
    userinfo_only_provider.login_as("guide-anna")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 303, response.text
    await db.refresh(guide)
    assert guide.oidc_sub == "guide-anna"
    session = (await db.exec(select(UserSession).where(UserSession.user_id == guide.id))).one()
    link = await db.get(OidcSessionLink, session.id)
    assert link is not None
    claims = id_token_claims(link.id_token)
    assert claims["sub"] == "guide-anna" and "email" not in claims  # so userinfo was used


@pytest.mark.parametrize("where", ["id_token", "userinfo"])
@pytest.mark.parametrize("verified", [False, None])
async def test_an_e_mail_the_idp_did_not_verify_binds_nobody(
    client, db, settings, oidc_provider, userinfo_only_provider, idp_browser, where, verified
):
    provider = oidc_provider if where == "id_token" else userinfo_only_provider
    configure(settings, provider.issuer)
    # None: the claim is left out altogether, which is not the same as true.
    provider.upsert_account(
        {"sub": "guide-dora", "email": "dora@guide.test", "email_verified": verified}
    )
    guide = await make_user(db, Role.guide, email="dora@guide.test")
    provider.login_as("guide-dora")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 403
    assert "bekræftede ikke din e-mailadresse" in response.text
    assert not signed_in(client, settings)
    await db.refresh(guide)
    assert guide.oidc_sub is None


async def test_a_staff_sign_in_over_a_young_persons_session_ends_it(
    app, client, db, settings, oidc_provider, idp_browser, frozen_clock
):
    configure(settings, oidc_provider.issuer)
    youth = await make_user(db, Role.youth)
    await make_user(db, Role.guide, email="anna@guide.test")
    await sign_in(client, db, youth, settings, frozen_clock.now)
    old = (await db.exec(select(UserSession).where(UserSession.user_id == youth.id))).one()
    oidc_provider.login_as("guide-anna")
    assert (await sign_in_at_idp(client, idp_browser)).status_code == 303
    await db.refresh(old)
    assert old.ended_at is not None


@pytest.mark.parametrize(("edov", "binds"), [(True, True), (False, False)])
async def test_entra_ids_domain_owner_claim_stands_in_for_a_missing_email_verified(
    client, db, settings, oidc_provider, idp_browser, edov, binds
):
    """Entra ID sends no email_verified for work accounts, only the optional xms_edov."""
    configure(settings, oidc_provider.issuer)
    oidc_provider.upsert_account(
        {"sub": f"guide-eva-{edov}", "email": "eva@guide.test", "email_verified": None}
        | {"xms_edov": edov}
    )
    guide = await make_user(db, Role.guide, email="eva@guide.test")
    oidc_provider.login_as(f"guide-eva-{edov}")
    response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == (303 if binds else 403)
    await db.refresh(guide)
    assert (guide.oidc_sub is not None) is binds
