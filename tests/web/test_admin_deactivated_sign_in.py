"""A deactivated staff member cannot sign in at the IdP, bound or not (real OIDC provider)."""

from __future__ import annotations

import httpx
from sqlmodel import select

from app.models import Role, User, UserSession
from app.services.admin import staff_members
from tests.factories.people import make_user
from tests.web.test_identity_staff_oidc_sign_in import (
    configure,
    real_time,  # noqa: F401  (autouse: ID tokens carry the provider's real clock)
    sign_in_at_idp,
    signed_in,
)


async def test_a_deactivated_guide_is_refused_at_sign_in(
    client, db, settings, oidc_provider, frozen_clock
):
    configure(settings, oidc_provider.issuer)
    admin = await make_user(db, Role.admin)
    guide = await make_user(db, Role.guide, email="anna@guide.test")
    await staff_members.deactivate(db, actor=admin, user_id=guide.id, now=frozen_clock.now)
    guide_id = guide.id
    await db.commit()
    oidc_provider.login_as("guide-anna")
    async with httpx.AsyncClient() as idp_browser:
        response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 403
    assert "ikke blevet inviteret" in response.text
    assert not signed_in(client, settings)
    sessions = await db.exec(select(UserSession).where(UserSession.user_id == guide_id))
    assert sessions.first() is None


async def test_a_guide_deactivated_after_binding_the_idp_account_is_refused(
    client, db, settings, oidc_provider, frozen_clock
):
    configure(settings, oidc_provider.issuer)
    admin = await make_user(db, Role.admin)
    guide = await make_user(db, Role.guide, email="anna@guide.test")
    oidc_provider.login_as("guide-anna")
    async with httpx.AsyncClient() as idp_browser:
        assert (await sign_in_at_idp(client, idp_browser)).status_code == 303
        guide = await db.get(User, guide.id)
        assert guide.oidc_sub == "guide-anna"
        await staff_members.deactivate(db, actor=admin, user_id=guide.id, now=frozen_clock.now)
        await db.commit()
        client.cookies.clear()
        response = await sign_in_at_idp(client, idp_browser)
    assert response.status_code == 403
    assert not signed_in(client, settings)
