"""incident mode

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Incident mode (issue #23): linked reports are held back from the staff group and the
    # incident gets one card in its own topic, edited at most once a minute. Existing rows
    # hold nothing (server_default false) so an upgrade changes no case already posted.
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holding", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("card_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("next_edit_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("incident_held", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("incident_held")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("merged_into")
        batch_op.drop_column("next_edit_at")
        batch_op.drop_column("card_message_id")
        batch_op.drop_column("thread_id")
        batch_op.drop_column("holding")
