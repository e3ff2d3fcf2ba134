"""messages: event log for real time, reply snippets, guide working hours, presence

Revision ID: 0400
Revises: 0100
Create Date: 2026-11-22 21:27:25.563438
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = '0400'
down_revision: str | Sequence[str] | None = '0100'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('guide_working_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['app_user.id'], name=op.f('fk_guide_working_hours_guide_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guide_working_hours')),
    sa.UniqueConstraint('guide_id', 'weekday', name=op.f('uq_guide_working_hours_guide_id'))
    )
    with op.batch_alter_table('guide_working_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guide_working_hours_guide_id'), ['guide_id'], unique=False)

    op.create_table('realtime_presence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('seen_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_realtime_presence_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_realtime_presence'))
    )
    with op.batch_alter_table('realtime_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_realtime_presence_process_key'), ['process_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_realtime_presence_user_id'), ['user_id'], unique=False)

    op.create_table('reply_snippet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('client_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['app_user.id'], name=op.f('fk_reply_snippet_guide_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_snippet')),
    sa.UniqueConstraint('client_key', name=op.f('uq_reply_snippet_client_key'))
    )
    with op.batch_alter_table('reply_snippet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_snippet_guide_id'), ['guide_id'], unique=False)

    op.create_table('message_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('youth_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_message_event_actor_id_app_user')),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_message_event_message_id_message')),
    sa.ForeignKeyConstraint(['youth_id'], ['youth.id'], name=op.f('fk_message_event_youth_id_youth')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_event'))
    )
    with op.batch_alter_table('message_event', schema=None) as batch_op:
        batch_op.create_index('ix_message_event_youth_event', ['youth_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('message_event', schema=None) as batch_op:
        batch_op.drop_index('ix_message_event_youth_event')

    op.drop_table('message_event')
    with op.batch_alter_table('reply_snippet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_snippet_guide_id'))

    op.drop_table('reply_snippet')
    with op.batch_alter_table('realtime_presence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_realtime_presence_user_id'))
        batch_op.drop_index(batch_op.f('ix_realtime_presence_process_key'))

    op.drop_table('realtime_presence')
    with op.batch_alter_table('guide_working_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guide_working_hours_guide_id'))

    op.drop_table('guide_working_hours')
