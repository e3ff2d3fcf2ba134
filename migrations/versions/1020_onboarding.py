"""onboarding: import young people from the case system

The case system's reference on the young person (unique: the import's key), and the
uploaded files kept between preview and confirm.

Revision ID: 1020
Revises: 1010
Create Date: 2026-12-03 12:42:50.975637
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '1020'
down_revision: str | Sequence[str] | None = '1010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('youth_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('file_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_youth_import_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_youth_import'))
    )
    with op.batch_alter_table('youth_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_youth_import_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_youth_import_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_youth_import_status'), ['status'], unique=False)

    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_youth_case_ref'), ['case_ref'])



def downgrade() -> None:
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_youth_case_ref'), type_='unique')
        batch_op.drop_column('case_ref')

    with op.batch_alter_table('youth_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_youth_import_status'))
        batch_op.drop_index(batch_op.f('ix_youth_import_expires_at'))
        batch_op.drop_index(batch_op.f('ix_youth_import_created_by_id'))

    op.drop_table('youth_import')
