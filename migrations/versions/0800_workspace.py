"""workspace area: handovers between guides, and the keys of cover forms

Revision ID: 0800
Revises: 0200
Create Date: 2026-11-22 22:07:35.669470
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0800'
down_revision: str | Sequence[str] | None = '0200'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cover_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('cover_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cover_id'], ['cover.id'], name=op.f('fk_cover_key_cover_id_cover')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cover_key')),
    sa.UniqueConstraint('client_key', name=op.f('uq_cover_key_client_key'))
    )
    with op.batch_alter_table('cover_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cover_key_cover_id'), ['cover_id'], unique=False)

    op.create_table('handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('from_guide_id', sa.Integer(), nullable=True),
    sa.Column('to_guide_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('batch_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['guide_assignment.id'], name=op.f('fk_handover_assignment_id_guide_assignment')),
    sa.ForeignKeyConstraint(['by_id'], ['app_user.id'], name=op.f('fk_handover_by_id_app_user')),
    sa.ForeignKeyConstraint(['from_guide_id'], ['app_user.id'], name=op.f('fk_handover_from_guide_id_app_user')),
    sa.ForeignKeyConstraint(['to_guide_id'], ['app_user.id'], name=op.f('fk_handover_to_guide_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_handover_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover')),
    sa.UniqueConstraint('client_key', name=op.f('uq_handover_client_key'))
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_batch_key'), ['batch_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_to_guide_id'), ['to_guide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_youth_id'), ['youth_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_youth_id'))
        batch_op.drop_index(batch_op.f('ix_handover_to_guide_id'))
        batch_op.drop_index(batch_op.f('ix_handover_batch_key'))

    op.drop_table('handover')
    with op.batch_alter_table('cover_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cover_key_cover_id'))

    op.drop_table('cover_key')
