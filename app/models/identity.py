"""How people prove who they are: one-time codes, invites, passkeys, OpenID Connect
flows in progress, and the rate limiter's counters.

Secrets (codes, invite tokens, flow cookies) are stored as hashes only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime


class CodePurpose:
    sign_in = "sign_in"
    contact_change = "contact_change"


class OneTimeCode(SQLModel, table=True):
    """A 6-digit code sent to a young person's phone or e-mail (HMAC of the code only)."""

    __tablename__ = "one_time_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    purpose: str = Field(max_length=16)
    channel: str = Field(max_length=8)  # "sms" or "email": where the code went
    code_hash: str = Field(max_length=64)
    # For a contact change: which field ("phone"/"email") becomes what, once confirmed.
    new_field: str | None = Field(default=None, max_length=8)
    new_value: str | None = Field(default=None, max_length=254)
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class Invite(SQLModel, table=True):
    """A single-use link a guide sends a new young person (SHA-256 of the token only)."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_by_id: int = Field(foreign_key="app_user.id")
    token_hash: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=8)
    # The guide's form carries a key: a retried submit creates one invite.
    client_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class YouthIdentityLink(SQLModel, table=True):
    """Ties a young person to the reference their citizen IdP sends (e.g. `youth_ref`)."""

    __tablename__ = "youth_identity_link"

    id: int | None = Field(default=None, primary_key=True)
    youth_id: int = Field(foreign_key="youth.id", unique=True)
    ref: str = Field(max_length=128, unique=True)


class Passkey(SQLModel, table=True):
    """A WebAuthn credential: sign in on this device without a code."""

    __tablename__ = "passkey"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    credential_id: str = Field(max_length=1400, unique=True)  # base64url
    public_key: str = Field(sa_column=Column(Text, nullable=False))  # base64url COSE key
    sign_count: int = Field(default=0)
    label: str = Field(default="", max_length=120)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class AuthChallenge(SQLModel, table=True):
    """A pending WebAuthn challenge or OpenID Connect flow, bound to one browser.

    The id is the SHA-256 of a random token in a short-lived HttpOnly cookie, so a
    callback only completes in the browser that started it (no login CSRF).
    """

    __tablename__ = "auth_challenge"

    id: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=24)  # passkey.register / passkey.sign_in / oidc.staff ...
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    # JSON: the challenge, or state + nonce + PKCE verifier + where to go next.
    data: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class OidcSessionLink(SQLModel, table=True):
    """The ID token a session began with, kept for RP-initiated logout at the IdP."""

    __tablename__ = "oidc_session_link"

    session_id: str = Field(
        primary_key=True, foreign_key="user_session.id", ondelete="CASCADE", max_length=64
    )
    provider: str = Field(max_length=16)
    id_token: str = Field(sa_column=Column(Text, nullable=False))


class RateHit(SQLModel, table=True):
    """How often a key (e.g. "code:ip:1.2.3.4") was used in one fixed time window."""

    __tablename__ = "rate_hit"
    __table_args__ = (
        UniqueConstraint("key", "window_start", name="uq_rate_hit_key_window"),
        Index("ix_rate_hit_window_start", "window_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160)
    window_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    hits: int = Field(default=0)
