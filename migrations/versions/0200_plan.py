"""plan area: plan history, appointments, agenda, calendar feeds, notes and replies

Revision ID: 0200
Revises: 0400
Create Date: 2026-11-22 21:27:34.958837
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0200'
down_revision: str | Sequence[str] | None = '0400'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place_kind', sa.String(length=8), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('youth_response', sa.String(length=16), nullable=False),
    sa.Column('move_request', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['app_user.id'], name=op.f('fk_appointment_guide_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_appointment_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('client_key', name=op.f('uq_appointment_client_key'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_guide_id'), ['guide_id'], unique=False)
        batch_op.create_index('ix_appointment_youth_starts', ['youth_id', 'starts_at'], unique=False)

    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_calendar_feed_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_youth_id'), ['youth_id'], unique=False)

    op.create_table('note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_note_author_id_app_user')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_note_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note')),
    sa.UniqueConstraint('client_key', name=op.f('uq_note_client_key'))
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index('ix_note_youth_created', ['youth_id', 'created_at'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('discussed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', app.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_agenda_item_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_agenda_item_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item')),
    sa.UniqueConstraint('client_key', name=op.f('uq_agenda_item_client_key'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_item_youth_id'), ['youth_id'], unique=False)

    op.create_table('note_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_note_reply_author_id_app_user')),
    sa.ForeignKeyConstraint(['note_id'], ['note.id'], name=op.f('fk_note_reply_note_id_note')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_note_reply')),
    sa.UniqueConstraint('client_key', name=op.f('uq_note_reply_client_key'))
    )
    with op.batch_alter_table('note_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_reply_note_id'), ['note_id'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_plan_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['step_id'], ['plan_step.id'], name=op.f('fk_plan_event_step_id_plan_step')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_plan_event_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index('ix_plan_event_youth_at', ['youth_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_event_youth_at')

    op.drop_table('plan_event')
    with op.batch_alter_table('note_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_reply_note_id'))

    op.drop_table('note_reply')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_item_youth_id'))

    op.drop_table('agenda_item')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index('ix_note_youth_created')

    op.drop_table('note')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_youth_id'))

    op.drop_table('calendar_feed')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_youth_starts')
        batch_op.drop_index(batch_op.f('ix_appointment_guide_id'))

    op.drop_table('appointment')
