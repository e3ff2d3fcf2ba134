"""privacy: audit records say what a staff search looked for, or which period an export held

A staff search and the admin's audit export are audited like opening a young person's
data, but they are about no one young person: `youth_id` stays empty and `detail` holds
the search words or the exported period (never in the process log).

Revision ID: 1010
Revises: 0910
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1010"
down_revision: str | Sequence[str] | None = "0910"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("detail", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_column("detail")
