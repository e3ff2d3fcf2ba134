"""check-ins: instruments as data, answers, scores, alerts

Revision ID: 0300
Revises: 0500
Create Date: 2026-11-22 21:27:19.887401
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0300'
down_revision: str | Sequence[str] | None = '0500'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('instrument',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('loaded_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument')),
    sa.UniqueConstraint('code', 'content_hash', name='uq_instrument_code_content_hash'),
    sa.UniqueConstraint('code', 'version', name='uq_instrument_code_version')
    )
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_code'), ['code'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('instrument_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('raw_score', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('taken_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('together', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['instrument_id'], ['instrument.id'], name=op.f('fk_checkin_instrument_id_instrument')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_checkin_recorded_by_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_checkin_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('client_key', name=op.f('uq_checkin_client_key'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_instrument_id'), ['instrument_id'], unique=False)
        batch_op.create_index('ix_checkin_youth_taken', ['youth_id', 'taken_at'], unique=False)

    op.create_table('checkin_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['app_user.id'], name=op.f('fk_checkin_alert_acknowledged_by_id_app_user')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_alert_checkin_id_checkin')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_checkin_alert_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_alert')),
    sa.UniqueConstraint('checkin_id', 'kind', name='uq_checkin_alert_checkin_kind')
    )
    with op.batch_alter_table('checkin_alert', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_alert_youth_open', ['youth_id', 'acknowledged_at'], unique=False)

    op.create_table('checkin_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_answer_checkin_id_checkin')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_answer')),
    sa.UniqueConstraint('checkin_id', 'item_key', name='uq_checkin_answer_item')
    )
    with op.batch_alter_table('checkin_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_answer_checkin_id'), ['checkin_id'], unique=False)

    # WHO-5 and the other instruments in app/instruments/*.json (idempotent; the app
    # loads them again at every start, so changed wording becomes a new version).
    from app.services.checkins.instruments import sync_instruments

    sync_instruments(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('checkin_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_answer_checkin_id'))

    op.drop_table('checkin_answer')
    with op.batch_alter_table('checkin_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_alert_youth_open')

    op.drop_table('checkin_alert')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_youth_taken')
        batch_op.drop_index(batch_op.f('ix_checkin_instrument_id'))

    op.drop_table('checkin')
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_code'))

    op.drop_table('instrument')
