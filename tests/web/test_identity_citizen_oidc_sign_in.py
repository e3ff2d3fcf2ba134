"""Young people through a citizen IdP (a MitID broker speaking OIDC), on the same code path:
mapped by a configurable claim to an invited young person, with a minimum NSIS level."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlmodel import select

from app.models import UserSession, YouthIdentityLink
from app.security.sessions import cookie_name
from app.services.identity.oidc_sign_in import nsis_level
from tests.conftest import BASE_URL
from tests.factories.people import ensure_csrf, make_youth, user_of
from tests.peers.fixtures import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
from tests.peers.oidc_provider import authorize_headless

CALLBACK = f"{BASE_URL}/auth/oidc/callback"


@pytest.fixture(autouse=True)
def citizen_idp(settings, oidc_provider, frozen_clock):
    # ID tokens carry the provider's real clock; the app must agree on "now".
    frozen_clock.now = datetime.now(UTC)  # outside clock: the provider's
    settings.citizen_oidc_issuer = oidc_provider.issuer
    settings.citizen_oidc_client_id = OIDC_CLIENT_ID
    settings.citizen_oidc_client_secret = OIDC_CLIENT_SECRET
    settings.citizen_oidc_min_level = "low"
    oidc_provider.login_as("youth-bo")
    return oidc_provider


async def invited_youth(db, ref: str = "YR-0001"):
    youth = await make_youth(db)
    db.add(YouthIdentityLink(youth_id=youth.id, ref=ref))
    await db.flush()
    return youth


async def sign_in_with_mitid(client) -> httpx.Response:
    await ensure_csrf(client)
    start = await client.post("/auth/citizen/start", data={"next": "/"})
    assert start.status_code == 303
    async with httpx.AsyncClient() as browser:
        callback = await authorize_headless(browser, start.headers["location"], CALLBACK)
    return await client.get(callback)


async def test_login_page_offers_mitid_when_configured(client):
    assert 'data-sign-in="citizen"' in (await client.get("/login")).text


async def test_invited_young_person_signs_in_by_the_reference_claim(client, db, settings):
    youth = await invited_youth(db)
    response = await sign_in_with_mitid(client)
    assert response.status_code == 303
    person = await user_of(db, youth)
    session = (await db.exec(select(UserSession).where(UserSession.user_id == person.id))).one()
    assert session.idle_timeout_seconds == 30 * 24 * 3600
    assert "Hej" in (await client.get("/")).text


async def test_the_claim_names_are_configurable(client, db, settings):
    settings.citizen_oidc_scopes = "openid email"
    settings.citizen_oidc_ref_claim = "email"
    settings.citizen_oidc_level_claim = "acr"  # "urn:trinvis:nsis:low" for youth-bo
    await invited_youth(db, ref="bo@youth.test")
    assert (await sign_in_with_mitid(client)).status_code == 303


async def test_a_too_low_assurance_level_is_refused(client, db, settings):
    settings.citizen_oidc_min_level = "substantial"  # youth-bo signs in with "low"
    await invited_youth(db)
    response = await sign_in_with_mitid(client)
    assert response.status_code == 403
    assert "højere sikringsniveau" in response.text
    assert cookie_name(settings) not in client.cookies


async def test_a_person_who_was_not_invited_is_refused(client, db, settings):
    await invited_youth(db, ref="YR-SOMEONE-ELSE")
    response = await sign_in_with_mitid(client)
    assert response.status_code == 403
    assert "Bed din ungeguide om at invitere dig" in response.text
    assert cookie_name(settings) not in client.cookies


@pytest.mark.parametrize(
    ("claim", "rank"),
    [
        ("substantial", 2),
        ("High", 3),
        ("https://data.gov.dk/concept/core/nsis/loa/Substantial", 2),
        ("urn:trinvis:nsis:low", 1),
        ("", 0),
        (None, 0),
        ("medium", 0),
    ],
)
def test_assurance_levels_are_read_from_words_and_uris(claim, rank):
    assert nsis_level(claim) == rank
