"""admin area: the log of admin changes, and team names unique per municipality

Revision ID: 0900
Revises: 0800
Create Date: 2026-11-29 12:46:14.382608
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0900'
down_revision: str | Sequence[str] | None = '0800'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('target_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_admin_change_actor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_change'))
    )
    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_change_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_change_at'), ['at'], unique=False)

    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_team_municipality_name', ['municipality_id', 'name'])



def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint('uq_team_municipality_name', type_='unique')

    with op.batch_alter_table('admin_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_change_at'))
        batch_op.drop_index(batch_op.f('ix_admin_change_actor_id'))

    op.drop_table('admin_change')
