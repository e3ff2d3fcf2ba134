"""Staff provisioning from the municipality's IdP over SCIM 2.0 (RFC 7643/7644).

A `ScimConnection` is one IdP (Entra ID, Keycloak) with its own bearer token (only the
hash is kept). Every resource the IdP writes is kept as the IdP sent it (`ScimResource`),
so it reads back exactly; Trinvis's own rows (`User`, the team, the role) are derived
from it. `ScimGroupMapping` is the admin's rule: members of this IdP group get this role
and/or this team.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.base import UTCDateTime


class ScimConnection(SQLModel, table=True):
    __tablename__ = "scim_connection"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    # SHA-256 of the bearer token; the token itself is shown once, when it is made.
    token_hash: str = Field(max_length=64, unique=True)
    token_hint: str = Field(default="", max_length=8)
    # The role a provisioned person gets when no mapped group gives one.
    default_role: str = Field(default="guide", max_length=16)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_used_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True)
    )


class ScimResource(SQLModel, table=True):
    """One SCIM User or Group, as the IdP last wrote it."""

    __tablename__ = "scim_resource"
    # userName (User) or displayName (Group), lower-cased: unique per IdP (RFC 7643 §4.1).
    __table_args__ = (
        UniqueConstraint(
            "connection_id", "resource_type", "unique_key", name="uq_scim_resource_key"
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    connection_id: int = Field(foreign_key="scim_connection.id", index=True)
    resource_type: str = Field(max_length=16)  # User | Group
    unique_key: str = Field(max_length=255)
    external_id: str | None = Field(default=None, max_length=255)
    # The Trinvis account a SCIM User provisions.
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ScimGroupMapping(SQLModel, table=True):
    """Members of the IdP group `group_name` get `role` and/or `team_id` in Trinvis."""

    __tablename__ = "scim_group_mapping"
    __table_args__ = (
        UniqueConstraint("connection_id", "group_name", name="uq_scim_group_mapping_group"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="scim_connection.id", index=True)
    group_name: str = Field(max_length=255)  # the Group's displayName, lower-cased
    role: str | None = Field(default=None, max_length=16)
    team_id: int | None = Field(default=None, foreign_key="team.id")
