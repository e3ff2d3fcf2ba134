"""scim connections, resources and group mappings; SMS delivery receipts on notifications

Revision ID: 1030
Revises: 1020
Create Date: 2026-12-03 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "1030"
down_revision: str | Sequence[str] | None = "1020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=8), nullable=False),
        sa.Column("default_role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_connection")),
        sa.UniqueConstraint("name", name=op.f("uq_scim_connection_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_connection_token_hash")),
    )
    op.create_table(
        "scim_resource",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(length=16), nullable=False),
        sa.Column("unique_key", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["scim_connection.id"],
            name=op.f("fk_scim_resource_connection_id_scim_connection"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_scim_resource_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_resource")),
        sa.UniqueConstraint(
            "connection_id", "resource_type", "unique_key", name="uq_scim_resource_key"
        ),
    )
    with op.batch_alter_table("scim_resource", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_resource_connection_id"), ["connection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_scim_resource_user_id"), ["user_id"], unique=False)
    op.create_table(
        "scim_group_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["scim_connection.id"],
            name=op.f("fk_scim_group_mapping_connection_id_scim_connection"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_scim_group_mapping_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_group_mapping")),
        sa.UniqueConstraint("connection_id", "group_name", name="uq_scim_group_mapping_group"),
    )
    with op.batch_alter_table("scim_group_mapping", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scim_group_mapping_connection_id"), ["connection_id"], unique=False
        )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("receipt_at", app.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("receipt_detail", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("receipt_detail")
        batch_op.drop_column("receipt_at")
        batch_op.drop_column("receipt")
    with op.batch_alter_table("scim_group_mapping", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_group_mapping_connection_id"))
    op.drop_table("scim_group_mapping")
    with op.batch_alter_table("scim_resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scim_resource_user_id"))
        batch_op.drop_index(batch_op.f("ix_scim_resource_connection_id"))
    op.drop_table("scim_resource")
    op.drop_table("scim_connection")
