"""eftervend

Revision ID: 0600
Revises: 0002
Create Date: 2026-11-22 21:27:02.718378
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0600'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('enrollment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('expected_end_on', sa.Date(), nullable=True),
    sa.Column('first_gap_days', sa.Integer(), nullable=False),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('length_months', sa.Integer(), nullable=False),
    sa.Column('risk_state', sa.String(length=16), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_enrollment_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_enrollment_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment')),
    sa.UniqueConstraint('client_key', name=op.f('uq_enrollment_client_key'))
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_youth_id'), ['youth_id'], unique=False)

    op.create_table('course_end',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_course_end_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_course_end_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_course_end_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_end')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_course_end_enrollment_id'))
    )
    with op.batch_alter_table('course_end', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_end_youth_id'), ['youth_id'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('due_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('prompted_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.String(length=24), nullable=True),
    sa.Column('answer_text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('answered_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('call_outcome', sa.String(length=16), nullable=True),
    sa.Column('risk_state', sa.String(length=16), nullable=True),
    sa.Column('handled_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_follow_up_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['app_user.id'], name=op.f('fk_follow_up_handled_by_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_follow_up_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up')),
    sa.UniqueConstraint('enrollment_id', 'sequence', name='uq_follow_up_enrollment_sequence')
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_youth_due', ['youth_id', 'due_at'], unique=False)

    op.create_table('risk_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('raised_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_risk_flag_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'], name=op.f('fk_risk_flag_follow_up_id_follow_up')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['app_user.id'], name=op.f('fk_risk_flag_handled_by_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_risk_flag_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flag')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_risk_flag_dedupe_key'))
    )
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.create_index('ix_risk_flag_youth_open', ['youth_id', 'handled_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_flag_youth_open')

    op.drop_table('risk_flag')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_youth_due')

    op.drop_table('follow_up')
    with op.batch_alter_table('course_end', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_end_youth_id'))

    op.drop_table('course_end')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_youth_id'))

    op.drop_table('enrollment')
