"""Server-side sessions: a row per signed-in device, the cookie holds a random token.

Young people stay signed in on their own phone for 30 days, sliding; staff sessions end
after 30 minutes idle and 12 hours in all, because staff screens show many people's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Role, User, UserSession
from app.realtime.hub import end_streams
from app.security.cookies import host_cookie_name
from app.security.tokens import new_token, token_hash
from app.settings import Settings, get_settings

YOUTH_IDLE = timedelta(days=30)
YOUTH_ABSOLUTE = timedelta(days=180)
# Writing last_seen_at on every request would turn every page view into a write.
TOUCH_AFTER = timedelta(seconds=60)
# Every request runs these: built once (see `app/db.py`). The session's row is read as
# plain columns (it is only checked, and moved on at most once a minute); the user is
# the ORM object the request's services work with.
_SESSION_AND_USER = (
    select(  # type: ignore[call-overload]
        User,
        UserSession.last_seen_at,
        UserSession.idle_timeout_seconds,
        UserSession.absolute_expires_at,
        UserSession.ended_at,
    )
    .join(User, col(User.id) == col(UserSession.user_id))
    .where(col(UserSession.id) == bindparam("token_hash"))
)
_TOUCH = (
    update(UserSession)
    .where(col(UserSession.id) == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


def cookie_name(settings: Settings) -> str:
    return host_cookie_name(settings, "trinvis_session")


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_id: str
    slid: bool = False  # last_seen_at moved on: a young person's cookie should move with it


def _lifetimes(role: str) -> tuple[timedelta, timedelta]:
    if role == Role.youth:
        return YOUTH_IDLE, YOUTH_ABSOLUTE
    # The municipality's IT sets these (TRINVIS_STAFF_IDLE_MINUTES, _SESSION_HOURS).
    settings = get_settings()
    return (
        timedelta(minutes=settings.staff_idle_minutes),
        timedelta(hours=settings.staff_session_hours),
    )


async def start_session(
    db: AsyncSession, *, user: User, now: datetime, device_label: str = ""
) -> str:
    """Create a new session for `user` and return the cookie token (a new id every sign-in)."""
    assert user.id is not None
    idle, absolute = _lifetimes(user.role)
    token = new_token()
    db.add(
        UserSession(
            id=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            idle_timeout_seconds=int(idle.total_seconds()),
            absolute_expires_at=now + absolute,
            device_label=device_label[:120],
        )
    )
    await db.flush()
    return token


async def resume_session(db: AsyncSession, *, token: str, now: datetime) -> SignedIn | None:
    """The signed-in user for a cookie token, or None when it is unknown or expired."""
    session_id = token_hash(token)
    row = (await db.exec(_SESSION_AND_USER, params={"token_hash": session_id})).first()
    if row is None:
        return None
    user, last_seen_at, idle_timeout_seconds, absolute_expires_at, ended_at = row
    idle_deadline = last_seen_at + timedelta(seconds=idle_timeout_seconds)
    if (
        ended_at is not None
        or not user.is_active
        or now >= idle_deadline
        or now >= absolute_expires_at
    ):
        return None
    if now - last_seen_at >= TOUCH_AFTER:
        await db.exec(_TOUCH, params={"session_id": session_id, "now": now})
        return SignedIn(user=user, session_id=session_id, slid=True)
    return SignedIn(user=user, session_id=session_id)


async def end_session(db: AsyncSession, *, session_id: str, now: datetime) -> None:
    """End one session, and its live message streams on every app process at commit."""
    await db.exec(
        update(UserSession)
        .where(col(UserSession.id) == session_id, col(UserSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    await end_streams(db, session_id=session_id)


async def end_all_sessions(db: AsyncSession, *, user_id: int, now: datetime) -> None:
    """End every session of a person, and all their live streams everywhere at commit."""
    await db.exec(
        update(UserSession)
        .where(col(UserSession.user_id) == user_id, col(UserSession.ended_at).is_(None))
        .values(ended_at=now)
    )
    await end_streams(db, user_id=user_id)


async def delete_expired_sessions(db: AsyncSession, *, now: datetime) -> int:
    """Housekeeping: sessions past their absolute lifetime are of no use to anyone."""
    result = await db.exec(
        delete(UserSession).where(col(UserSession.absolute_expires_at) < now - timedelta(days=1))
    )
    return int(result.rowcount or 0)


async def sign_in_cookie(
    db: AsyncSession,
    request: Request,
    response: Response,
    settings: Settings,
    *,
    token: str,
    role: str,
    now: datetime,
) -> None:
    """After any sign-in: end the session this browser had (whoever's), set the new one.

    Signing in as someone else over a live session must not leave the first person's
    session valid behind the new cookie; and the same person gets a new session id.
    """
    previous = session_token(request, settings)
    if previous and previous != token:
        await end_session(db, session_id=token_hash(previous), now=now)
    set_session_cookie(response, settings, token, role)


def set_session_cookie(response: Response, settings: Settings, token: str, role: str) -> None:
    idle, _absolute = _lifetimes(role)
    response.set_cookie(
        cookie_name(settings),
        token,
        max_age=int(idle.total_seconds()) if role == Role.youth else None,
        httponly=True,
        secure=settings.uses_https,
        samesite="lax",
        path="/",
    )


# Where `enforce_access` leaves a young person's token whose session just slid; the
# middleware below then sends the cookie again with a fresh Max-Age.
SLIDE_STATE_KEY = "slide_session_token"


class SlidingCookieMiddleware:
    """Re-issues a young person's session cookie when their session slides.

    The server keeps the session alive for 30 days after the last use; without sending
    the cookie again, the browser would still drop it 30 days after the first sign-in.
    A response that sets or clears the session cookie itself (sign-in, sign-out) wins.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie_prefix = cookie_name(settings).encode() + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            token = scope.get("state", {}).get(SLIDE_STATE_KEY)
            if message["type"] == "http.response.start" and token:
                headers = list(message.get("headers", []))
                if not any(
                    k.lower() == b"set-cookie" and v.startswith(self.cookie_prefix)
                    for k, v in headers
                ):
                    refreshed = Response()
                    set_session_cookie(refreshed, self.settings, token, Role.youth)
                    headers += [(k, v) for k, v in refreshed.raw_headers if k == b"set-cookie"]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(cookie_name(settings), path="/", secure=settings.uses_https)


def session_token(request: Request, settings: Settings) -> str | None:
    return request.cookies.get(cookie_name(settings))
