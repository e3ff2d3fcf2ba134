"""Short-lived, single-use server-side state for a sign-in in progress.

The browser holds a random token in an HttpOnly cookie; the database holds its hash and
the state (OIDC state, nonce and PKCE verifier; a WebAuthn challenge). Taking the state
deletes it, so a callback can never be replayed, and only the browser that started the
flow can finish it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import AuthChallenge
from app.security.cookies import host_cookie_name
from app.security.tokens import new_token, token_hash
from app.settings import Settings

FLOW_TTL = timedelta(minutes=10)


def cookie_name(settings: Settings, kind: str) -> str:
    return host_cookie_name(settings, f"trinvis_{kind}")


async def open_challenge(
    db: AsyncSession,
    *,
    purpose: str,
    data: dict[str, Any],
    now: datetime,
    user_id: int | None = None,
) -> str:
    """Store `data` for one flow and return the token for the browser's cookie."""
    token = new_token()
    db.add(
        AuthChallenge(
            id=token_hash(token),
            purpose=purpose,
            user_id=user_id,
            data=json.dumps(data),
            expires_at=now + FLOW_TTL,
        )
    )
    await db.flush()
    return token


async def take_challenge(
    db: AsyncSession, *, token: str | None, purposes: tuple[str, ...], now: datetime
) -> AuthChallenge | None:
    """The flow's state, removed from the database; None when unknown or expired."""
    if not token:
        return None
    challenge = await db.get(AuthChallenge, token_hash(token))
    if challenge is None:
        return None
    await db.delete(challenge)
    await db.flush()
    if challenge.purpose not in purposes or challenge.expires_at <= now:
        return None
    return challenge


def data_of(challenge: AuthChallenge) -> dict[str, Any]:
    return dict(json.loads(challenge.data))


async def delete_expired_challenges(db: AsyncSession, *, now: datetime) -> int:
    result = await db.exec(delete(AuthChallenge).where(col(AuthChallenge.expires_at) < now))
    return int(result.rowcount or 0)


def set_flow_cookie(response: Response, settings: Settings, kind: str, token: str) -> None:
    response.set_cookie(
        cookie_name(settings, kind),
        token,
        max_age=int(FLOW_TTL.total_seconds()),
        httponly=True,
        secure=settings.uses_https,
        # Lax: the IdP's redirect back to us is a top-level GET from another site.
        samesite="lax",
        path="/",
    )


def flow_cookie(request: Request, settings: Settings, kind: str) -> str | None:
    return request.cookies.get(cookie_name(settings, kind))


def clear_flow_cookie(response: Response, settings: Settings, kind: str) -> None:
    response.delete_cookie(cookie_name(settings, kind), path="/", secure=settings.uses_https)
