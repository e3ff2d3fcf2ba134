"""key-figure report: indexes for WHO-5 progression, check-ins and follow-ups in a period

The report reads each young person's first and latest WHO-5 from the index alone, and
counts the check-ins and follow-ups of a period without reading the tables.

Revision ID: 0910
Revises: 0900
Create Date: 2026-11-29 13:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0910"
down_revision: str | Sequence[str] | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_code_youth_taken_score",
            ["instrument_code", "youth_id", "taken_at", "score"],
            unique=False,
        )
        batch_op.create_index(
            "ix_checkin_code_taken_youth",
            ["instrument_code", "taken_at", "youth_id"],
            unique=False,
        )


    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_due_report",
            ["due_on", "youth_id", "cancelled_at", "answered_at", "handled_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_due_report")
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_code_taken_youth")
        batch_op.drop_index("ix_checkin_code_youth_taken_score")
