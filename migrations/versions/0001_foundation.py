"""foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 21:09:41.325503
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('app_setting',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting'))
    )
    op.create_table('municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality')),
    sa.UniqueConstraint('name', name=op.f('uq_municipality_name'))
    )
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_team_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team'))
    )
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('oidc_sub', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_app_user_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('email', name=op.f('uq_app_user_email')),
    sa.UniqueConstraint('oidc_sub', name=op.f('uq_app_user_oidc_sub')),
    sa.UniqueConstraint('phone', name=op.f('uq_app_user_phone'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_app_user_team_id'), ['team_id'], unique=False)

    op.create_table('cover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('absent_guide_id', sa.Integer(), nullable=False),
    sa.Column('covering_guide_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['absent_guide_id'], ['app_user.id'], name=op.f('fk_cover_absent_guide_id_app_user')),
    sa.ForeignKeyConstraint(['covering_guide_id'], ['app_user.id'], name=op.f('fk_cover_covering_guide_id_app_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_cover_created_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cover'))
    )
    with op.batch_alter_table('cover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cover_absent_guide_id'), ['absent_guide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cover_covering_guide_id'), ['covering_guide_id'], unique=False)

    op.create_table('user_session',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('idle_timeout_seconds', sa.Integer(), nullable=False),
    sa.Column('absolute_expires_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device_label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('ended_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_session_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.create_table('youth',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('readiness_group', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('destination', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('guide_id', sa.Integer(), nullable=True),
    sa.Column('course_started_on', sa.Date(), nullable=False),
    sa.Column('checkin_cadence_days', sa.Integer(), nullable=False),
    sa.Column('consent_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['app_user.id'], name=op.f('fk_youth_guide_id_app_user')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_youth_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_youth')),
    sa.UniqueConstraint('user_id', name=op.f('uq_youth_user_id'))
    )
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_youth_guide_id'), ['guide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_youth_readiness_group'), ['readiness_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_youth_status'), ['status'], unique=False)

    op.create_table('audit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_audit_record_actor_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_audit_record_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_record'))
    )
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_record_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_record_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_record_youth_at', ['youth_id', 'at'], unique=False)

    op.create_table('guide_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('started_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('handover_note', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['app_user.id'], name=op.f('fk_guide_assignment_assigned_by_id_app_user')),
    sa.ForeignKeyConstraint(['guide_id'], ['app_user.id'], name=op.f('fk_guide_assignment_guide_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_guide_assignment_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_assignment'))
    )
    with op.batch_alter_table('guide_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_assignment_guide_id'), ['guide_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guide_assignment_youth_id'), ['youth_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('guide_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_assignment_youth_id'))
        batch_op.drop_index(batch_op.f('ix_guide_assignment_guide_id'))

    op.drop_table('guide_assignment')
    with op.batch_alter_table('audit_record', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_record_youth_at')
        batch_op.drop_index(batch_op.f('ix_audit_record_at'))
        batch_op.drop_index(batch_op.f('ix_audit_record_actor_id'))

    op.drop_table('audit_record')
    with op.batch_alter_table('youth', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_youth_status'))
        batch_op.drop_index(batch_op.f('ix_youth_readiness_group'))
        batch_op.drop_index(batch_op.f('ix_youth_guide_id'))

    op.drop_table('youth')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('cover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cover_covering_guide_id'))
        batch_op.drop_index(batch_op.f('ix_cover_absent_guide_id'))

    op.drop_table('cover')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_team_id'))
        batch_op.drop_index(batch_op.f('ix_app_user_role'))

    op.drop_table('app_user')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_municipality_id'))

    op.drop_table('team')
    op.drop_table('municipality')
    op.drop_table('app_setting')

